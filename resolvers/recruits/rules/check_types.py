"""The parameters of the rules' checks: a :class:`Period` of time, one small frozen dataclass per
check type (``MinInterval("activist", 12 months)``), the :data:`Check` union of them, and which
data each reads. Parameters only: ``checks.py`` evaluates them, ``table.py`` builds rules of them
(and re-exports every name here, which is where callers import them from)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from .calendar import WorkingCalendar, add_months

__all__ = [
    "AnyMinimum",
    "Check",
    "DataShape",
    "InOrder",
    "IntRange",
    "LeavesWithin",
    "Majority",
    "MaxInterval",
    "MaxOccurrences",
    "MemberCount",
    "MinAge",
    "MinInterval",
    "NotBeforeProbationEnd",
    "NotBeforeStep",
    "Period",
    "Publicity",
    "Quorum",
    "RecordedValue",
    "VoteCounts",
    "data_read",
]


@dataclass(frozen=True, slots=True)
class Period:
    """A length of time: calendar months (see ``add_months`` for the end-of-month convention),
    then days, then working days (by the calendar in force)."""

    months: int = 0
    days: int = 0
    working_days: int = 0

    def after(self, start: date, calendar: WorkingCalendar) -> date:
        end = add_months(start, self.months) + timedelta(days=self.days)
        return calendar.add_working_days(end, self.working_days) if self.working_days else end

    def __str__(self) -> str:
        """As a message says it: ``12 个月``, ``1 个月又 5 个工作日``."""
        parts = [
            f"{n} {unit}"
            for n, unit in (
                (self.months, "个月"),
                (self.days, "天"),
                (self.working_days, "个工作日"),
            )
            if n
        ]
        return "又 ".join(parts) or "0 天"


# --- checks of preconditions (parameters only; engine.py evaluates them) ---------------------


@dataclass(frozen=True, slots=True)
class DataShape:
    """The data carries the step's declared fields, of their kinds, and no other key."""


@dataclass(frozen=True, slots=True)
class InOrder:
    """Prerequisite steps are recorded on or before this step's date; a periodic step is closed
    once its ``until`` step is recorded; nothing follows a cancellation."""


@dataclass(frozen=True, slots=True)
class MaxOccurrences:
    times: int


@dataclass(frozen=True, slots=True)
class MinAge:
    """At least ``years`` old on the step's date; the age convention is ``identity.age_on``."""

    years: int


@dataclass(frozen=True, slots=True)
class MinInterval:
    """The step is on or after ``after``'s date + ``period`` (a waiting time)."""

    after: str
    period: Period


@dataclass(frozen=True, slots=True)
class MaxInterval:
    """The step is on or before ``after``'s date + ``period`` (a validity)."""

    after: str
    period: Period


@dataclass(frozen=True, slots=True)
class MemberCount:
    """Between ``minimum`` and ``maximum`` distinct member ids in ``field``."""

    field: str
    minimum: int
    maximum: int


@dataclass(frozen=True, slots=True)
class AnyMinimum:
    """At least one of the (field, minimum) pairs is met (3 days or 24 hours)."""

    minimums: tuple[tuple[str, int], ...]


@dataclass(frozen=True, slots=True)
class VoteCounts:
    """in_favour <= present + written_votes, present + written_votes <= entitled."""


@dataclass(frozen=True, slots=True)
class Quorum:
    """More than half of the voting members entitled to attend are present."""


@dataclass(frozen=True, slots=True)
class Majority:
    """Votes in favour exceed half of those *entitled* to attend, not merely of those present."""


@dataclass(frozen=True, slots=True)
class RecordedValue:
    """The recorded ``step`` carries ``field == value`` (e.g. political review: qualified)."""

    step: str
    field: str
    value: str


@dataclass(frozen=True, slots=True)
class IntRange:
    field: str
    minimum: int
    maximum: int


@dataclass(frozen=True, slots=True)
class LeavesWithin:
    """The date recorded as ``field`` of ``step`` (the judged step's own data, or the latest
    recorded ``step``) — the day the person is expected to leave the unit — is not later than
    ``period`` after the judged step's date."""

    step: str
    field: str
    period: Period


@dataclass(frozen=True, slots=True)
class NotBeforeStep:
    """The DATE datum ``field``, when given, is not before the step's own date (a resolution
    is reported after the meeting that adopted it)."""

    field: str


@dataclass(frozen=True, slots=True)
class NotBeforeProbationEnd:
    """The step is on or after the end of the (possibly extended) probation."""


@dataclass(frozen=True, slots=True)
class Publicity:
    """publicity_from..publicity_to spans at least ``min_working_days`` working days (both ends
    counted) and ends on or before the step's date."""

    min_working_days: int


Check = (
    DataShape
    | InOrder
    | MaxOccurrences
    | MinAge
    | MinInterval
    | MaxInterval
    | MemberCount
    | AnyMinimum
    | VoteCounts
    | Quorum
    | Majority
    | RecordedValue
    | IntRange
    | LeavesWithin
    | NotBeforeStep
    | NotBeforeProbationEnd
    | Publicity
)


_VOTE_KEYS = ("entitled", "present", "in_favour", "written_votes")


def data_read(check: Check) -> tuple[str, ...]:
    """The keys of the judged step's data that ``check`` reads (and may name in a refusal)."""
    match check:
        case MemberCount(field=key) | IntRange(field=key) | NotBeforeStep(field=key):
            return (key,)
        case AnyMinimum(minimums=minimums):
            return tuple(key for key, _ in minimums)
        case VoteCounts() | Quorum() | Majority():
            return _VOTE_KEYS
        case Publicity():
            return ("publicity_from", "publicity_to")
    return ()
