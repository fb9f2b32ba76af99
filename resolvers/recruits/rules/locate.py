"""Where a step's problems land in each operation's input: every typed error names the input
field the caller must fix (a dotted path from the mutation's ``input``, e.g. ``rows.3.idNumber``).

The rules place a problem in the step as ``recordStep`` takes it (``RecordStepInput``):

* ``on`` — the step's date;
* ``step`` — recording this step now at all: out of order, closed, recorded already, after a
  cancellation, or not allowed by what an earlier step recorded;
* ``data.<key>`` — one datum, by its field spec's name as it is stored (``data.in_favour``);
  ``data.<key>.<n>`` — the n-th member a list of members names. The operations respell the
  key as the caller sent it (``data.inFavour``: ``data_keys.StepData.place``) before mapping
  the place onto their input.

recordStep takes these places as they are; the other operations that record a step map them
onto their own inputs with the functions below (``StepFields``).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

from .steps import ON, STEP

__all__ = [
    "CANCELLATION",
    "EXTENSION",
    "StepFields",
    "application",
    "as_recorded",
    "correction",
    "dedicated",
]

#: A step's place (``on``, ``step``, ``data.…``) → the operation's input field.
StepFields = Callable[[str], str]


def as_recorded(place: str) -> str:
    """recordStep; and importRecruits, under the step's path (``rows.3.steps.2.on``)."""
    return place


def application(place: str) -> str:
    """createRecruit records step 1 (递交入党申请书) from ``applicationDate`` and nothing else:
    whatever the rules find wrong with it is about that date. An applicant under 18 is refused
    on ``applicationDate`` (UNDERAGE), not on ``birthDate``: the birth date is a fact, checked
    against the ID number; the application cannot be dated before the 18th birthday."""
    return "applicationDate"


def dedicated(data_fields: Mapping[str, str]) -> StepFields:
    """A mutation that records one fixed step (extendProbation, cancelProbation): the date is
    ``on``, the step's data are fields of the input itself (``data_fields``: key → field), and
    a step that cannot be recorded now is about the recruit the mutation names."""

    def place_in_input(place: str) -> str:
        if place == ON:
            return "on"
        key = place.split(".")[1] if place.startswith("data.") else None
        return data_fields.get(key, "recruitId") if key else "recruitId"

    return place_in_input


#: extendProbation records PROBATION_EXTENSION with ``months`` and ``reason`` as its data.
EXTENSION = dedicated({"months": "months", "reason": "reason"})
#: cancelProbation records PROBATION_CANCELLATION with ``reason`` as its data.
CANCELLATION = dedicated({"reason": "reason"})


def correction(*, own: bool, moved: bool) -> StepFields:
    """correctStep re-judges the whole corrected history, each step after those dated before it.

    A problem of the corrected step itself (``own``) is placed as recordStep places it, but
    for the step as a whole (out of order, closed, …): that is about its new date when the
    correction ``moved`` it (a step moved before its prerequisite now finds it missing), else
    about the step ``stepId`` names. A problem the correction causes in another step is about
    what the correction changed: its date when it moved, else its ``data``."""
    changed = "on" if moved else "data"
    if not own:
        return lambda _: changed
    whole = "on" if moved else "stepId"
    return lambda place: whole if place == STEP else place
