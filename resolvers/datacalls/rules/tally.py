"""The roll-up of a call's answers (pure): per set of units that must answer, how many there
are, how many answered, each number field summed (exactly, in decimals) and each choice field's
options counted; and the lines of one level."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any


@dataclass
class Aggregate:
    """The figures of a set of units that must answer: how many, how many answered, the sum of
    each number field and the count of each option of each choice field (answered units only;
    a field left blank counts nowhere)."""

    expected: int = 0
    answered: int = 0
    sums: dict[str, Decimal] = field(default_factory=dict)
    counts: dict[str, dict[str, int]] = field(default_factory=dict)

    def add(self, form: Sequence[Mapping[str, Any]], answers: Mapping[str, Any] | None) -> None:
        self.expected += 1
        if answers is None:
            return
        self.answered += 1
        for spec in form:
            value = answers.get(spec["key"])
            if value is None:
                continue
            if spec["kind"] == "number":
                self.sums[spec["key"]] = self.sums.get(spec["key"], Decimal(0)) + Decimal(
                    str(value)
                )
            elif spec["kind"] == "choice":
                options = self.counts.setdefault(spec["key"], {})
                options[value] = options.get(value, 0) + 1

    def totals(self, form: Sequence[Mapping[str, Any]]) -> dict[str, int | float]:
        """Every number field's sum (0 when nobody answered it), in the form's order."""
        result: dict[str, int | float] = {}
        for spec in form:
            if spec["kind"] == "number":
                total = self.sums.get(spec["key"], Decimal(0))
                result[spec["key"]] = (
                    int(total) if total == total.to_integral_value() else float(total)
                )
        return result

    def choices(self, form: Sequence[Mapping[str, Any]]) -> dict[str, dict[str, int]]:
        """Every choice field's count per option (0s included), in the options' order."""
        return {
            spec["key"]: {o: self.counts.get(spec["key"], {}).get(o, 0) for o in spec["options"]}
            for spec in form
            if spec["kind"] == "choice"
        }


def is_within(path: str, ancestor: str) -> bool:
    return path == ancestor or path.startswith(ancestor + ".")


def aggregate(
    form: Sequence[Mapping[str, Any]],
    responses: Iterable[tuple[str, Mapping[str, Any] | None]],
    children: Sequence[str],
    own_path: str,
) -> tuple[dict[str, Aggregate], Aggregate, Aggregate]:
    """The roll-up at one unit (``own_path``): each child's aggregate (by its path, every
    child of ``children`` listed), the unit's own (when it must answer itself) and the total.
    ``responses`` are (unit path, answers or None) of the call's units in the unit's subtree."""
    lines = {path: Aggregate() for path in children}
    own, total = Aggregate(), Aggregate()
    for path, answers in responses:
        if not is_within(path, own_path):
            continue
        total.add(form, answers)
        if path == own_path:
            own.add(form, answers)
            continue
        child = own_path + "." + path[len(own_path) + 1 :].split(".")[0]
        lines.setdefault(child, Aggregate()).add(form, answers)
    return lines, own, total
