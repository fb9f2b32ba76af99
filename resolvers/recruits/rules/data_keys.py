"""A step's data keys in either spelling: camelCase like the rest of the API (``inFavour``,
``talkedBy``, ``documentNo``) or snake_case as the step table names them and as they are stored
(``in_favour``). Pure.

:func:`normalise` is the one door: every operation that takes a step's ``data`` from a caller
(recordStep, correctStep, importRecruits' steps, syncRecruits' steps) passes it through before
anything judges or stores it. Invariants:

* The vocabulary is the step table (``steps.py``): a step's field specs, each under its own name
  and its camelCase form. Nothing else is renamed: a key the step does not declare (a typo,
  another step's field, a hostile string) is kept as sent, for the rules to refuse as ever
  (``DataShape``: "carries no …", on ``data.<key as sent>``).
* What is stored is snake_case, always: stored rows, the change feed and the sync jobs read
  the step table's names, so accepting camelCase breaks none of them.
* One datum, one spelling: the same field given both ways is refused (``DUPLICATE_DATUM``), on
  the key that came second.
* Errors name a datum as the caller spelled it: :meth:`StepData.place` turns the rules' places
  (``data.in_favour``, ``data.introducers.1``) into the caller's (``data.inFavour``). A datum the
  caller left out is named camelCase when the caller wrote any key camelCase, else as stored.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

from partyplan.resolvers.errors import ValidationErrors

from ..errors import RecruitError, RecruitErrorCode
from .locate import StepFields, as_recorded
from .steps import STEPS, datum

__all__ = ["SPELLINGS", "StepData", "camel", "normalise"]


def camel(name: str) -> str:
    """The camelCase form of a snake_case name.

    >>> camel("in_favour"), camel("publicity_from"), camel("contacts")
    ('inFavour', 'publicityFrom', 'contacts')
    """
    head, *rest = name.split("_")
    return head + "".join(part[:1].upper() + part[1:] for part in rest)


#: Each step's accepted keys → the stored name: the field specs' names and their camelCase.
SPELLINGS: Mapping[str, Mapping[str, str]] = MappingProxyType(
    {
        step.code: MappingProxyType(
            {
                **{spec.name: spec.name for spec in step.fields},
                **{camel(spec.name): spec.name for spec in step.fields},
            }
        )
        for step in STEPS
    }
)

#: Each datum's official term (a name has the same term in every step that carries it).
_LABELS: Mapping[str, str] = MappingProxyType(
    {spec.name: spec.label for step in STEPS for spec in step.fields}
)


@dataclass(frozen=True, slots=True)
class StepData:
    """A step's data as stored (``data``) and how the caller spelled its keys."""

    data: dict[str, Any]
    #: stored name → the key the caller sent, for each datum sent in another spelling.
    sent: Mapping[str, str] = field(default_factory=dict)
    #: (stored name, first key, second key) for each datum the caller sent in both spellings.
    twice: tuple[tuple[str, str, str], ...] = ()
    #: The step's field names (stored spelling): the only keys :meth:`place` respells.
    declared: frozenset[str] = frozenset()

    def place(self, place: str) -> str:
        """A rule's place (``on``, ``step``, ``data.in_favour``, ``data.introducers.1``) with
        the datum's key spelled as the caller sent it."""
        if not place.startswith("data."):
            return place
        _, key, *rest = place.split(".", 2)
        if key not in self.declared:
            return place
        spelled = self.sent.get(key) or (camel(key) if self.sent else key)
        return ".".join(("data", spelled, *rest))

    def within(self, fields: StepFields) -> StepFields:
        """``fields`` (a place → the operation's input field) after :meth:`place`."""
        return lambda place: fields(self.place(place))

    def problems(self, fields: StepFields = as_recorded) -> list[RecruitError]:
        """A typed error for each datum sent in both spellings, on the second key, placed by
        ``fields`` in the operation's input."""
        return [
            RecruitError(
                RecruitErrorCode.DUPLICATE_DATUM,
                f"{_LABELS.get(name, name)}重复填写（{first} 与 {second}）：只能填写其一",
                fields(datum(second)),
            )
            for name, first, second in self.twice
        ]

    def check(self, fields: StepFields = as_recorded) -> StepData:
        """Itself, or every :meth:`problems` raised at once."""
        if errors := self.problems(fields):
            raise ValidationErrors(errors)  # type: ignore[arg-type]
        return self


def normalise(step_code: str, data: Mapping[str, Any]) -> StepData:
    """``data`` with each declared key in its stored spelling, the others as sent; an unknown
    step's data unchanged (the caller refuses the step itself). Never raises: :meth:`StepData.check`
    refuses a datum sent twice."""
    vocabulary = SPELLINGS.get(step_code, MappingProxyType({}))
    stored: dict[str, Any] = {}
    by: dict[str, str] = {}  # stored name → the key that gave it
    sent: dict[str, str] = {}
    twice: list[tuple[str, str, str]] = []
    for key, value in data.items():
        name = vocabulary.get(key, key) if isinstance(key, str) else key
        if name in by:
            twice.append((name, by[name], key))
            continue
        by[name] = key
        stored[name] = value
        if key != name:
            sent[name] = key
    return StepData(stored, MappingProxyType(sent), tuple(twice), frozenset(vocabulary.values()))
