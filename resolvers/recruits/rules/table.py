"""The rule table: national rules of the procedure as versioned data (docs/domain.md, "The
procedure").

Every rule has an id, a version and the article it comes from, and is one of three kinds:

* :class:`Precondition` — refuses the step (``RuleViolation``) when its :data:`Check` fails;
* :class:`Advisory` — a check of what the 细则 says is *normally* (一般) not done: the step is
  accepted and a ``Finding`` without a deadline records it;
* :class:`TimeLimit` — accepts the step but records a ``Finding`` when it happens later than
  ``anchor`` + a period; several tiers escalate the severity (3 months: warning, 6: serious).
  A repeating limit (``repeats``) is a periodic duty: each occurrence is due within the period
  of the one before (of ``anchor`` for the first).

An anchor is a step code or one of the derived dates in :data:`ANCHORS`.

Checks are small frozen dataclasses with parameters (``MinInterval("activist", 12 months)``,
``check_types.py``, re-exported here), so a province or school adds or overrides rules by data
(``overlays.py``) without new code; the engine (``engine.py``) knows how to evaluate each check
type. A later revision of the 细则 is a new :class:`RuleTable` with its own version, not an edit
of this one, registered with the date it takes effect in ``national.py`` (which says how).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType

from .check_types import (
    AnyMinimum,
    Check,
    DataShape,
    InOrder,
    IntRange,
    LeavesWithin,
    Majority,
    MaxInterval,
    MaxOccurrences,
    MemberCount,
    MinAge,
    MinInterval,
    NotBeforeProbationEnd,
    NotBeforeStep,
    Period,
    Publicity,
    Quorum,
    RecordedValue,
    VoteCounts,
    data_read,
)
from .citations import CITATION_SOURCES
from .steps import STEPS, Severity, step_named

__all__ = [
    "ADMISSION_RESOLUTION",
    "ALL_STEPS",
    "ANCHORS",
    "CITATION_SOURCES",
    "CONVERSION_DUE",
    "CONVERSION_RESOLUTION",
    "NATIONAL_2014",
    "PROBATION_END",
    "TRANSFERRED_PROBATION_END",
    "Advisory",
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

# --- anchors that are not a step: dates derived from the steps (facts.Facts.anchor) ----------

#: The end of the probation: the branch meeting (step 15) + the table's probation + any
#: extension (细则第三十二条).
PROBATION_END = "probation_end"
#: The day the branch reported its resolution to admit (step 15's ``reported_on``; the meeting's
#: date when none is recorded): the committee approves within three months of it.
ADMISSION_RESOLUTION = "admission_resolution"
#: The same for the resolution to convert (step 23): 细则第三十四条 counts from it.
CONVERSION_RESOLUTION = "conversion_resolution"
#: The end of the probation of a member transferred in after its admission (``RecruitFacts``);
#: unknown for any other, so a rule anchored on it binds transferred-in members only.
TRANSFERRED_PROBATION_END = "transferred_probation_end"
#: When the conversion discussion is due: the end of the probation, or for a member transferred
#: in after its admission, six months later (细则第三十六条 lets the discussion be postponed so).
CONVERSION_DUE = "conversion_due"
ANCHORS: Mapping[str, str] = MappingProxyType(
    {
        PROBATION_END: "预备期满",
        ADMISSION_RESOLUTION: "党支部上报接收预备党员的决议",
        CONVERSION_RESOLUTION: "党支部上报预备党员转正的决议",
        TRANSFERRED_PROBATION_END: "转入的预备党员预备期满",
        CONVERSION_DUE: "应讨论转正之日",
    }
)
ALL_STEPS: tuple[str, ...] = tuple(s.code for s in STEPS)


def _known_anchor(code: str) -> None:
    if code not in ANCHORS:
        step_named(code)


def _declared(code: str, keys: tuple[str, ...]) -> None:
    declared = {spec.name for spec in step_named(code).fields}
    if missing := [key for key in keys if key not in declared]:
        # Reaches a commission editing an overlay (serialization.py): said as a message.
        raise ValueError(f"步骤“{step_named(code).name}”没有数据项 {'、'.join(missing)}")


def _checked(steps: tuple[str, ...], check: Check) -> None:
    # Rules are data a commission will edit: a misspelt step must fail when loaded, not
    # silently never apply. A check reads only data its steps declare, so whatever datum a
    # refusal names is a key the caller can send (and a rule no step could meet is refused).
    for code in steps:
        _declared(code, data_read(check))
    if isinstance(check, MinInterval | MaxInterval):
        _known_anchor(check.after)
    if isinstance(check, RecordedValue | LeavesWithin):
        _declared(check.step, (check.field,))


@dataclass(frozen=True, slots=True)
class Precondition:
    id: str
    version: str
    article: str
    steps: tuple[str, ...]  # the steps it judges
    check: Check

    def __post_init__(self) -> None:
        _checked(self.steps, self.check)


@dataclass(frozen=True, slots=True)
class Advisory:
    """What the 细则 says is normally (一般) not done: when ``check`` fails the step is still
    accepted, and a finding of ``severity`` (without a deadline) records it for supervision."""

    id: str
    version: str
    article: str
    steps: tuple[str, ...]
    check: Check
    severity: Severity = Severity.WARNING

    def __post_init__(self) -> None:
        _checked(self.steps, self.check)


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
    anchor: str  # a step code, or one of ANCHORS
    tiers: tuple[Tier, ...]  # ascending; the first is the normal deadline
    # A periodic duty of a repeatable step: each occurrence is due within the tiers of the one
    # before it, the first of ``anchor``; due again while the step is open (its ``until`` step
    # not recorded).
    repeats: bool = False

    def __post_init__(self) -> None:
        step = step_named(self.step)
        _known_anchor(self.anchor)
        if not self.tiers:
            raise ValueError(f"时限规则 {self.id} 未设任何时限")
        if self.repeats and not step.repeatable:
            raise ValueError(f"时限规则 {self.id}：步骤“{step.name}”不可重复记录，不能按周期要求")


Rule = Precondition | Advisory | TimeLimit


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


# --- the national table ---------------------------------------------------------------------

_V = "2014.1"
# The second reading, checked against the text (citations.CITATION_SOURCES): a rule whose
# citation or anchor was corrected is a new version of it, so that a finding or refusal recorded
# before says which reading it was made under; rules added from the text have this version too.
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
        Precondition("meeting.reported_after", _V2, "细则（各环节所载事项）", _MEETINGS,
                     NotBeforeStep("reported_on")),
        # 按期转正: converting before the probation has run is a serious breach (提前转正).
        Precondition("conversion.after_probation", _V, "细则第三十二条", ("conversion_meeting",),
                     NotBeforeProbationEnd()),
        # 细则第十九条: "发展对象未来三个月内将离开工作、学习单位的，一般不办理接收预备党员的
        # 手续". "一般": a finding, not a refusal. The pre-review records the expected day.
        Advisory("target.leaving_3m", _V2, "细则第十九条", ("branch_meeting",),
                 LeavesWithin("pre_review", "expected_leave_on", Period(months=3))),
        TimeLimit("talk.within_1m", _V, "细则第七条", "talk", "application",
                  (Tier(Period(months=1), _WARN),)),
        # 细则第十一条: the branch assesses an activist every six months, the first time within
        # six months of the choice (step 3); each assessment is a step 6.
        TimeLimit("cultivation.every_6m", _V2, "细则第十一条", "cultivation", "activist",
                  (Tier(Period(months=6), _WARN),), repeats=True),
        # "应当在三个月内审批 … 特殊情况 … 不得超过六个月", counted from the resolution the branch
        # reports (not from its meeting, which comes first): beyond 3 months needs a reason,
        # beyond 6 is a breach. No province's overlay asks for the stricter count from the
        # meeting. The article stays unsettled (citations.UNSETTLED_CITATIONS).
        TimeLimit("approval.within_3m", _V2, "细则第二十四条", "approval",
                  ADMISSION_RESOLUTION,
                  (Tier(Period(months=3), _WARN), Tier(Period(months=6), _SERIOUS))),
        # 细则第三十四条 counts 3 months from the branch's reported conversion resolution. The
        # stricter count from the end of the probation is Shanxi's (overlays.SHANXI_2023).
        TimeLimit("conversion_approval.within_3m", _V2, "细则第三十四条", "conversion_approval",
                  CONVERSION_RESOLUTION, (Tier(Period(months=3), _WARN),)),
        # 细则第三十六条: for a member transferred in, the conversion discussion may be postponed,
        # by six months at most.
        TimeLimit("conversion.postponed_within_6m", _V2, "细则第三十六条", "conversion_meeting",
                  TRANSFERRED_PROBATION_END, (Tier(Period(months=6), _WARN),)),
    ),
)
# fmt: on
