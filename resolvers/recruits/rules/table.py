"""The rule table: national rules of the procedure as versioned data (docs/domain.md, "The
procedure").

Every rule has an id, a version and the article it comes from, and is one of two kinds:

* :class:`Precondition` — refuses the step (``RuleViolation``) when its :data:`Check` fails;
* :class:`TimeLimit` — accepts the step but records a ``Finding`` when it happens later than
  ``anchor`` + a period; several tiers escalate the severity (3 months: warning, 6: serious).

Checks are small frozen dataclasses with parameters (``MinInterval("activist", 12 months)``), so
a province or school adds or overrides rules by data (``overlays.py``) without new code; the
engine (``engine.py``) knows how to evaluate each check type. A later revision of the 细则 is a
new :class:`RuleTable` with its own version, not an edit of this one, registered with the date
it takes effect in ``national.py`` (which says how).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from types import MappingProxyType

from .calendar import WorkingCalendar, add_months
from .steps import STEPS, Severity, step_named

__all__ = [
    "ALL_STEPS",
    "CITATION_SOURCES",
    "NATIONAL_2014",
    "PROBATION_END",
    "AnyMinimum",
    "Check",
    "DataShape",
    "InOrder",
    "IntRange",
    "Majority",
    "MaxInterval",
    "MaxOccurrences",
    "MemberCount",
    "MinAge",
    "MinInterval",
    "NotBeforeProbationEnd",
    "Period",
    "Precondition",
    "Publicity",
    "Quorum",
    "RecordedValue",
    "Rule",
    "RuleTable",
    "Tier",
    "TimeLimit",
    "VoteCounts",
    "data_read",
]

#: An anchor that is not a step: the end of the probation, derived from the branch meeting
#: (step 15) + the table's probation + any extension (细则第三十二条).
PROBATION_END = "probation_end"
ALL_STEPS: tuple[str, ...] = tuple(s.code for s in STEPS)


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
    | NotBeforeProbationEnd
    | Publicity
)


def _known_anchor(code: str) -> None:
    if code != PROBATION_END:
        step_named(code)


_VOTE_KEYS = ("entitled", "present", "in_favour", "written_votes")


def data_read(check: Check) -> tuple[str, ...]:
    """The keys of the judged step's data that ``check`` reads (and may name in a refusal)."""
    match check:
        case MemberCount(field=key) | IntRange(field=key):
            return (key,)
        case AnyMinimum(minimums=minimums):
            return tuple(key for key, _ in minimums)
        case VoteCounts() | Quorum() | Majority():
            return _VOTE_KEYS
        case Publicity():
            return ("publicity_from", "publicity_to")
    return ()


def _declared(code: str, keys: tuple[str, ...]) -> None:
    declared = {spec.name for spec in step_named(code).fields}
    if missing := [key for key in keys if key not in declared]:
        # Reaches a commission editing an overlay (serialization.py): said as a message.
        raise ValueError(f"步骤“{step_named(code).name}”没有数据项 {'、'.join(missing)}")


@dataclass(frozen=True, slots=True)
class Precondition:
    id: str
    version: str
    article: str
    steps: tuple[str, ...]  # the steps it judges
    check: Check

    def __post_init__(self) -> None:
        # Rules are data a commission will edit: a misspelt step must fail when loaded, not
        # silently never apply. A check reads only data its steps declare, so whatever datum a
        # refusal names is a key the caller can send (and a rule no step could meet is refused).
        for code in self.steps:
            _declared(code, data_read(self.check))
        if isinstance(self.check, MinInterval | MaxInterval):
            _known_anchor(self.check.after)
        if isinstance(self.check, RecordedValue):
            _declared(self.check.step, (self.check.field,))


@dataclass(frozen=True, slots=True)
class Tier:
    within: Period
    severity: Severity


@dataclass(frozen=True, slots=True)
class TimeLimit:
    id: str
    version: str
    article: str
    step: str  # the step that must happen in time
    anchor: str  # a step code, or PROBATION_END
    tiers: tuple[Tier, ...]  # ascending; the first is the normal deadline

    def __post_init__(self) -> None:
        step_named(self.step)
        _known_anchor(self.anchor)
        if not self.tiers:
            raise ValueError(f"时限规则 {self.id} 未设任何时限")


Rule = Precondition | TimeLimit


@dataclass(frozen=True, slots=True)
class RuleTable:
    """A versioned base table (the 细则 of a given year); overlays apply on top of it."""

    version: str
    title: str
    probation: Period  # from the branch meeting (step 15)
    rules: tuple[Rule, ...]

    def __post_init__(self) -> None:
        ids = [r.id for r in self.rules]
        if len(set(ids)) != len(ids):
            raise ValueError(f"duplicate rule ids in table {self.version}")


# --- where the 2014 citations were checked ---------------------------------------------------

#: The copies of the 2014 text each corrected citation was checked against, two independent ones
#: an article. Only the articles whose citation changed are listed. Steps 16–21 and ``approval.within_3m`` keep their citations (23, 24, 27, 28, 29):
#: no two copies printing those article numbers were found, so they are unsettled, not checked.
CITATION_SOURCES: Mapping[str, tuple[str, ...]] = MappingProxyType(
    {
        # Political review (step 10, review.qualified, review.valid_1y): numbered in both copies.
        "细则第十六条": (
            "http://p719.cn/22357718.html",
            "https://m.taodocs.com/p-675933586.html",
        ),
        # Short training (step 11, training.minimum): numbered in the first copy; in the second,
        # the same text stands between article 16 and the 第四章 heading before 18.
        "细则第十七条": (
            "https://m.taodocs.com/p-675933586.html",
            "https://www.topnews9.com/jxzs/202208/660131.html",
        ),
        # Archiving (step 25): numbered after 33–36 in the first copy; the same rule, unnumbered,
        # in a county's copy.
        "细则第三十七条": (
            "http://uianet.net/dictionary/b468676.html",
            "https://gxj.xxz.gov.cn/jgdj_160/201912/t20191216_1385523.html",
        ),
    }
)


# --- the national table ---------------------------------------------------------------------

_V = "2014.1"
# A rule whose citation was corrected against the text (CITATION_SOURCES): a new version of the
# rule, so that a finding or refusal recorded before says which reading it was made under.
_V2 = "2014.2"
_MEETINGS = ("branch_meeting", "conversion_meeting")
_WARN, _SERIOUS = Severity.WARNING, Severity.SERIOUS
_ONCE = tuple(
    s.code for s in STEPS if not s.repeatable and s.code != "probation_extension"
)  # the extension has its own rule (extension.once), with its own article

# fmt: off
NATIONAL_2014 = RuleTable(
    version="2014",
    title="中国共产党发展党员工作细则（2014）",
    probation=Period(months=12),  # 细则第三十二条: 预备期为一年，从支部大会通过之日算起
    rules=(
        Precondition("proc.data", _V, "细则（各环节所载事项）", ALL_STEPS, DataShape()),
        Precondition("proc.order", _V, "细则第二至五章（发展党员工作流程）", ALL_STEPS, InOrder()),
        Precondition("proc.once", _V, "细则第二至五章（发展党员工作流程）", _ONCE,
                     MaxOccurrences(1)),
        Precondition("application.min_age", _V, "细则第五条", ("application",), MinAge(18)),
        Precondition("contacts.one_or_two", _V, "细则第九条", ("contacts",),
                     MemberCount("contacts", 1, 2)),
        Precondition("target.after_activist_1y", _V, "细则第十三条", ("development_target",),
                     MinInterval("activist", Period(months=12))),
        Precondition("introducers.two", _V, "细则第十四条", ("introducers",),
                     MemberCount("introducers", 2, 2)),
        Precondition("training.minimum", _V2, "细则第十七条", ("training",),
                     AnyMinimum((("days", 3), ("hours", 24)))),
        Precondition("review.qualified", _V2, "细则第十六条", ("branch_meeting",),
                     RecordedValue("political_review", "conclusion", "qualified")),
        # The 细则 demands a written conclusion; its one-year validity is the common reading of
        # provincial procedures (docs/domain.md), checked where the conclusion is used: at step 15.
        Precondition("review.valid_1y", _V2, "细则第十六条；各地发展党员规程", ("branch_meeting",),
                     MaxInterval("political_review", Period(months=12))),
        Precondition("meeting.counts", _V, "细则第二十一条", _MEETINGS, VoteCounts()),
        Precondition("meeting.quorum", _V, "细则第二十条", _MEETINGS, Quorum()),
        Precondition("meeting.majority", _V, "细则第二十一条", _MEETINGS, Majority()),
        Precondition("extension.once", _V, "细则第三十二条", ("probation_extension",),
                     MaxOccurrences(1)),
        Precondition("extension.months", _V, "细则第三十二条", ("probation_extension",),
                     IntRange("months", 6, 12)),
        # 按期转正: converting before the probation has run is a serious breach (提前转正).
        Precondition("conversion.after_probation", _V, "细则第三十二条", ("conversion_meeting",),
                     NotBeforeProbationEnd()),
        TimeLimit("talk.within_1m", _V, "细则第七条", "talk", "application",
                  (Tier(Period(months=1), _WARN),)),
        # "应当在三个月内审批 … 特殊情况 … 不得超过六个月": beyond 3 months needs a reason,
        # beyond 6 is a breach.
        TimeLimit("approval.within_3m", _V, "细则第二十四条", "approval", "branch_meeting",
                  (Tier(Period(months=3), _WARN), Tier(Period(months=6), _SERIOUS))),
        # 细则第三十四条 counts 3 months from the branch's conversion resolution, which 第三十二条
        # wants held promptly when the probation ends (及时讨论); the Shanxi 2023 notice
        # ("预备党员转正审批应在三个月内完成") and docs/domain.md count from that end. The conversion
        # meeting cannot precede the end (conversion.after_probation), so counting from the end
        # is the stricter reading and also catches a branch that meets late.
        TimeLimit("conversion_approval.within_3m", _V, "细则第三十二条、第三十四条",
                  "conversion_approval", PROBATION_END,
                  (Tier(Period(months=3), _WARN),)),
    ),
)
# fmt: on
