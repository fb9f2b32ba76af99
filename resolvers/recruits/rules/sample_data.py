"""Data for a step that every data rule in force accepts (:func:`sample_data`): what the
earliest-admission walk (``earliest.py``) judges its placements with. Pure."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from .calendar import WorkingCalendar
from .check_types import (
    AnyMinimum,
    IntRange,
    Majority,
    MemberCount,
    Publicity,
    Quorum,
    RecordedValue,
    VoteCounts,
)
from .overlays import RuleSet
from .steps import FieldKind, Step

__all__ = ["sample_data"]


def sample_data(step: Step, on: date, rules: RuleSet, calendar: WorkingCalendar) -> dict[str, Any]:
    """Data for ``step`` on ``on`` that every data rule of ``rules`` accepts: the fewest members
    a count asks for, the minimum of a range, votes of one entitled member in favour, a
    publicity ending on the day, the value a later step requires of this one. Member ids are
    placeholders: whoever records the step names real members."""
    data: dict[str, Any] = {}
    for spec in step.fields:
        if not spec.required:
            continue
        match spec.kind:
            case FieldKind.INTEGER:
                data[spec.name] = 1
            case FieldKind.TEXT:
                data[spec.name] = "—"
            case FieldKind.DATE:
                data[spec.name] = on.isoformat()
            case FieldKind.MEMBERS:
                data[spec.name] = ["1"]
            case FieldKind.CHOICE:
                data[spec.name] = spec.values[0]
    checks = [r.check for r in (*rules.preconditions(step.code), *rules.advisories(step.code))]
    for check in checks:
        match check:
            case MemberCount(field=key, minimum=minimum):
                data[key] = [str(i + 1) for i in range(max(minimum, 0))]
            case AnyMinimum(minimums=minimums):
                key, minimum = minimums[0]
                data[key] = minimum
            case IntRange(field=key, minimum=minimum):
                data[key] = minimum
            case VoteCounts() | Quorum() | Majority():
                data.update(entitled=1, present=1, in_favour=1)
            case Publicity(min_working_days=days):
                first = on
                while calendar.working_days_between(first, on) < days:
                    first -= timedelta(days=1)
                data.update(publicity_from=first.isoformat(), publicity_to=on.isoformat())
    for rule in rules.rules:  # a later step's demand on this one (review: qualified)
        check = getattr(rule, "check", None)
        if isinstance(check, RecordedValue) and check.step == step.code:
            data[check.field] = check.value
    return data
