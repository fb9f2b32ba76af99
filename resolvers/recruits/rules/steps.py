"""The recruitment procedure as data: the 25 steps, and the values the rule engine speaks.

Source: 《中国共产党发展党员工作细则》 (中共中央办公厅, 2014; "细则" below) and the national
25-step flow (发展党员工作流程) that groups its articles into five phases. Each :class:`Step`
names its phase, actor, article, prerequisite steps and the data it carries. Two events outside
the 25 numbered steps complete the table: extending the probation once (延长预备期) and cancelling
the probationary membership (取消预备党员资格), both 细则第三十二条.

A recruit's standing (:class:`Stage`) is never stored apart from the steps: it is derived from
the recorded steps (``engine.stage_after``), and each step says which stage recording it enters.

The rules that judge a step are in ``table.py`` (national, versioned) and ``overlays.py``
(provincial and school additions); ``engine.py`` evaluates them.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum
from types import MappingProxyType
from typing import Any, NamedTuple

from partyplan.resolvers.recruits.errors import RecruitErrorCode

__all__ = [
    "ACTOR_NAMES",
    "ON",
    "PHASE_NAMES",
    "STAGE_NAMES",
    "STEP",
    "STEPS",
    "STEP_BY_CODE",
    "Actor",
    "Choice",
    "Due",
    "Evaluation",
    "FieldKind",
    "FieldSpec",
    "Finding",
    "Phase",
    "RecordedStep",
    "RecruitFacts",
    "RuleViolation",
    "Severity",
    "Stage",
    "Step",
    "datum",
    "step_named",
]


class Phase(StrEnum):
    """The five phases of the procedure: which steps belong together."""

    APPLICANT = "applicant"  # 申请入党 (steps 1–2)
    ACTIVIST = "activist"  # 入党积极分子的确定和培养教育 (3–6)
    DEVELOPMENT_TARGET = "development_target"  # 发展对象的确定和考察 (7–11)
    PROBATIONARY = "probationary"  # 预备党员的接收 (12–18; admission at 17)
    PROBATION = "probation"  # 预备党员的教育、考察和转正 (19–25; full member at 24)


PHASE_NAMES: Mapping[Phase, str] = MappingProxyType(
    {
        Phase.APPLICANT: "申请入党",
        Phase.ACTIVIST: "入党积极分子的确定和培养教育",
        Phase.DEVELOPMENT_TARGET: "发展对象的确定和考察",
        Phase.PROBATIONARY: "预备党员的接收",
        Phase.PROBATION: "预备党员的教育、考察和转正",
    }
)


class Stage(StrEnum):
    """A recruit's standing after the recorded steps (what lists filter on)."""

    APPLICANT = "applicant"
    ACTIVIST = "activist"
    DEVELOPMENT_TARGET = "development_target"
    PROBATIONARY = "probationary"
    FULL_MEMBER = "full_member"
    CANCELLED = "cancelled"


STAGE_NAMES: Mapping[Stage, str] = MappingProxyType(
    {
        Stage.APPLICANT: "入党申请人",
        Stage.ACTIVIST: "入党积极分子",
        Stage.DEVELOPMENT_TARGET: "发展对象",
        Stage.PROBATIONARY: "预备党员",
        Stage.FULL_MEMBER: "正式党员",
        Stage.CANCELLED: "取消预备党员资格",
    }
)


class Actor(StrEnum):
    """Who performs a step (the 细则 names the body; the school UI decides who may record it)."""

    APPLICANT = "applicant"  # 本人
    BRANCH = "branch"  # 党支部
    BRANCH_COMMITTEE = "branch_committee"  # 支部委员会 (支部大会 where there is none)
    BRANCH_MEETING = "branch_meeting"  # 支部大会
    COMMITTEE = "committee"  # 具有审批权限的基层党委 (the school's committee)
    HIGHER_ORGANIZATION_DEPARTMENT = "higher_organization_department"  # 上级党委组织部门


ACTOR_NAMES: Mapping[Actor, str] = MappingProxyType(
    {
        Actor.APPLICANT: "本人",
        Actor.BRANCH: "党支部",
        Actor.BRANCH_COMMITTEE: "支部委员会",
        Actor.BRANCH_MEETING: "支部大会",
        Actor.COMMITTEE: "具有审批权限的基层党委",
        Actor.HIGHER_ORGANIZATION_DEPARTMENT: "上级党委组织部门",
    }
)


class Severity(StrEnum):
    WARNING = "warning"  # late, to be explained (e.g. approval after 3 months)
    SERIOUS = "serious"  # beyond the absolute limit (e.g. approval after 6 months)


class FieldKind(StrEnum):
    INTEGER = "integer"  # a count, >= 0
    TEXT = "text"
    DATE = "date"  # a calendar date, never a timestamp (docs/domain.md, "Time and identity")
    MEMBERS = "members"  # a list of Party member ids (introducers, contacts)
    CHOICE = "choice"


class Choice(NamedTuple):
    """One value a CHOICE datum may take, with its official term."""

    value: str
    label: str


@dataclass(frozen=True, slots=True)
class FieldSpec:
    name: str  # snake_case key of the step's data, as stored (camelCase accepted: data_keys.py)
    kind: FieldKind
    label: str  # the official term
    required: bool = True
    choices: tuple[Choice, ...] = ()

    @property
    def values(self) -> tuple[str, ...]:
        """The values a CHOICE datum may take."""
        return tuple(choice.value for choice in self.choices)


@dataclass(frozen=True, slots=True)
class Step:
    number: int | None  # 1–25; None for the two events outside the numbered flow
    code: str
    name: str
    phase: Phase
    actor: Actor
    article: str
    requires: tuple[str, ...] = ()  # steps recorded (on or before this one's date) first
    fields: tuple[FieldSpec, ...] = ()
    repeatable: bool = False  # periodic assessments are recorded each time they take place
    until: str | None = None  # no longer recordable once this step is recorded
    enters: Stage | None = None  # the stage recording this step enters


# Publicity (公示) is not in the 细则; where a local rule demands it, these optional dates carry
# it and the ``Publicity`` check (table.py) requires and counts them.
_PUBLICITY = (
    FieldSpec("publicity_from", FieldKind.DATE, "公示开始日期", required=False),
    FieldSpec("publicity_to", FieldKind.DATE, "公示结束日期", required=False),
)
# Votes of a branch general meeting (细则第二十、二十一条). Written opinions of absent voting
# members, handed in before the meeting, count among the votes (细则第二十一条) but not towards
# the quorum, hence their own count.
_VOTES = (
    FieldSpec("entitled", FieldKind.INTEGER, "应到会有表决权的正式党员数"),
    FieldSpec("present", FieldKind.INTEGER, "实到会有表决权的正式党员数"),
    FieldSpec("in_favour", FieldKind.INTEGER, "赞成票数（含书面意见）"),
    FieldSpec("written_votes", FieldKind.INTEGER, "未到会党员会前提交的书面意见数", required=False),
)
_TALKED_BY = (FieldSpec("talked_by", FieldKind.TEXT, "谈话人", required=False),)
# The day the branch reported its resolution to the committee: the approval's three months run
# from it (table.ADMISSION_RESOLUTION, CONVERSION_RESOLUTION); the meeting's date when omitted.
_REPORTED = (FieldSpec("reported_on", FieldKind.DATE, "决议上报日期", required=False),)
_A, _AC, _D, _P, _PR = (
    Phase.APPLICANT,
    Phase.ACTIVIST,
    Phase.DEVELOPMENT_TARGET,
    Phase.PROBATIONARY,
    Phase.PROBATION,
)
_ME, _BR, _BC, _BM, _CO, _HO = (
    Actor.APPLICANT,
    Actor.BRANCH,
    Actor.BRANCH_COMMITTEE,
    Actor.BRANCH_MEETING,
    Actor.COMMITTEE,
    Actor.HIGHER_ORGANIZATION_DEPARTMENT,
)

# fmt: off
STEPS: tuple[Step, ...] = (
    Step(1, "application", "递交入党申请书", _A, _ME, "细则第五条、第六条",
         enters=Stage.APPLICANT),
    Step(2, "talk", "党组织派人谈话", _A, _BR, "细则第七条", ("application",), _TALKED_BY),
    Step(3, "activist", "推荐和确定入党积极分子", _AC, _BC, "细则第八条", ("talk",),
         (FieldSpec("recommended_by", FieldKind.CHOICE, "推荐方式", required=False,
                    choices=(Choice("party_members", "党员推荐"),
                             Choice("mass_organization", "群团组织推优"))), *_PUBLICITY),
         enters=Stage.ACTIVIST),
    Step(4, "activist_filing", "上级党委备案", _AC, _CO, "细则第八条", ("activist",)),
    Step(5, "contacts", "指定培养联系人", _AC, _BR, "细则第九条", ("activist",),
         (FieldSpec("contacts", FieldKind.MEMBERS, "培养联系人"),)),
    Step(6, "cultivation", "培养教育考察", _AC, _BR, "细则第十条、第十一条", ("contacts",),
         (FieldSpec("assessment", FieldKind.TEXT, "考察意见", required=False),),
         repeatable=True, until="development_target"),
    Step(7, "development_target", "确定发展对象", _D, _BC, "细则第十三条",
         ("activist_filing", "cultivation"), _PUBLICITY, enters=Stage.DEVELOPMENT_TARGET),
    Step(8, "target_filing", "报上级党委备案", _D, _CO, "细则第十三条", ("development_target",)),
    Step(9, "introducers", "确定入党介绍人", _D, _BR, "细则第十四条", ("development_target",),
         (FieldSpec("introducers", FieldKind.MEMBERS, "入党介绍人"),)),
    Step(10, "political_review", "进行政治审查", _D, _BR, "细则第十六条",
         ("development_target",),
         (FieldSpec("conclusion", FieldKind.CHOICE, "政治审查结论",
                    choices=(Choice("qualified", "合格"), Choice("unqualified", "不合格"))),)),
    Step(11, "training", "开展集中培训", _D, _CO, "细则第十七条", ("development_target",),
         (FieldSpec("days", FieldKind.INTEGER, "培训天数", required=False),
          FieldSpec("hours", FieldKind.INTEGER, "培训学时", required=False))),
    Step(12, "branch_committee_review", "支部委员会审查", _P, _BC, "细则第十九条",
         ("target_filing", "introducers", "political_review", "training")),
    # The day the target is expected to leave the unit (graduation, a move), where known:
    # 细则第十九条 normally admits no one there who leaves within three months.
    Step(13, "pre_review", "上级党委预审", _P, _CO, "细则第十九条",
         ("branch_committee_review",),
         (FieldSpec("expected_leave_on", FieldKind.DATE, "预计离开本单位日期", required=False),)),
    Step(14, "application_form", "填写入党志愿书", _P, _ME, "细则第十九条", ("pre_review",)),
    Step(15, "branch_meeting", "支部大会讨论", _P, _BM, "细则第二十条、第二十一条",
         ("application_form",), (*_VOTES, *_PUBLICITY, *_REPORTED)),
    Step(16, "committee_talk", "上级党委派人谈话", _P, _CO, "细则第二十三条",
         ("branch_meeting",), _TALKED_BY),
    Step(17, "approval", "上级党委审批", _P, _CO, "细则第二十四条", ("committee_talk",),
         (FieldSpec("document_no", FieldKind.TEXT, "审批文号", required=False),),
         enters=Stage.PROBATIONARY),
    Step(18, "approval_filing", "再上一级党委组织部门备案", _P, _HO, "细则第二十四条",
         ("approval",)),
    Step(19, "assignment", "编入党支部和党小组", _PR, _BR, "细则第二十七条", ("approval",),
         (FieldSpec("group", FieldKind.TEXT, "党小组", required=False),)),
    Step(20, "oath", "入党宣誓", _PR, _BR, "细则第二十八条", ("approval",)),
    Step(21, "probation_education", "继续教育考察", _PR, _BR, "细则第二十九条",
         ("assignment",), (FieldSpec("assessment", FieldKind.TEXT, "考察意见", required=False),),
         repeatable=True, until="conversion_meeting"),
    Step(22, "conversion_application", "提出转正申请", _PR, _ME, "细则第三十三条",
         ("oath", "probation_education")),
    Step(23, "conversion_meeting", "支部大会讨论", _PR, _BM, "细则第三十三条",
         ("conversion_application",), (*_VOTES, *_REPORTED)),
    Step(24, "conversion_approval", "上级党委审批", _PR, _CO, "细则第三十四条",
         ("conversion_meeting",), _PUBLICITY, enters=Stage.FULL_MEMBER),
    Step(25, "archiving", "材料归档", _PR, _CO, "细则第三十七条", ("conversion_approval",)),
    Step(None, "probation_extension", "延长预备期", _PR, _BM, "细则第三十二条", ("approval",),
         (FieldSpec("months", FieldKind.INTEGER, "延长月数"),
          FieldSpec("reason", FieldKind.TEXT, "理由", required=False)),
         until="conversion_meeting"),
    Step(None, "probation_cancellation", "取消预备党员资格", _PR, _BM, "细则第三十二条",
         ("approval",), (FieldSpec("reason", FieldKind.TEXT, "理由", required=False),),
         until="conversion_approval", enters=Stage.CANCELLED),
)
# fmt: on

STEP_BY_CODE: Mapping[str, Step] = MappingProxyType({s.code: s for s in STEPS})


def step_named(code: str) -> Step:
    try:
        return STEP_BY_CODE[code]
    except KeyError:
        raise ValueError(f"unknown step {code!r}") from None


# --- what the engine reads and returns ------------------------------------------------------


@dataclass(frozen=True, slots=True)
class RecordedStep:
    """A step as recorded: its code, its date (China Standard Time calendar date), its data."""

    step_code: str
    on: date
    data: Mapping[str, Any] = field(default_factory=lambda: MappingProxyType({}))


@dataclass(frozen=True, slots=True)
class RecruitFacts:
    """What the rules need to know about the person, beyond the steps.

    ``transferred_after_admission``: the recruit's branch is not the one that approved its
    admission (step 17) — it was transferred in as a probationary member, which 细则第三十六条
    calls 转入的预备党员. A transfer is not dated on the record, so one made after the
    conversion counts too: it can only loosen the conversion's limits of a member already
    converted, and the place of admission never moves (``recruits.admitted_branch_id``)."""

    birth_date: date
    transferred_after_admission: bool = False

    @classmethod
    def of(cls, recruit: Any) -> RecruitFacts:
        """The facts of a stored recruit (a row with ``birth_date``, ``branch_id`` and
        ``admitted_branch_id``)."""
        admitted = recruit.admitted_branch_id
        return cls(recruit.birth_date, admitted is not None and admitted != recruit.branch_id)


#: Where a rule locates a problem: in the step as ``recordStep`` takes it (``RecordStepInput``).
#: ``resolvers/recruits/rules/locate.py`` maps these places onto the other operations' inputs.
ON = "on"  # the step's date
STEP = "step"  # recording this step now at all: out of order, closed, recorded already, after a
# cancellation, or not allowed by what an earlier step recorded


def datum(key: str, *index: int) -> str:
    """A datum's place: ``data.in_favour``; ``data.introducers.1`` for the second member named.
    The key is the field spec's name, as it is stored; ``data_keys.StepData.place`` respells it
    as the caller sent it (``data.inFavour``).

    >>> datum("in_favour"), datum("introducers", 1)
    ('data.in_favour', 'data.introducers.1')
    """
    return ".".join(("data", key, *map(str, index)))


@dataclass(frozen=True, slots=True)
class RuleViolation:
    """A precondition refused the step. ``field`` locates the problem in the step as recordStep
    takes it: :data:`ON`, :data:`STEP` or a :func:`datum`. ``code`` is the specific error code
    the schema declares for it (``UNDERAGE``), ``RULE_VIOLATION`` when there is none."""

    rule_id: str
    version: str
    article: str
    message: str
    field: str = STEP
    code: RecruitErrorCode = RecruitErrorCode.RULE_VIOLATION


@dataclass(frozen=True, slots=True)
class Finding:
    """A time limit was missed, or an advisory rule found what is normally not done: the step
    is accepted, the finding kept for supervision. ``due_on`` is the deadline of the tier that
    was missed; ``days_late`` counts from it; both None for an advisory rule's finding."""

    rule_id: str
    severity: Severity
    message: str
    due_on: date | None
    days_late: int | None
    version: str
    article: str


@dataclass(frozen=True, slots=True)
class Evaluation:
    step_code: str
    on: date
    violations: tuple[RuleViolation, ...] = ()
    findings: tuple[Finding, ...] = ()

    @property
    def accepted(self) -> bool:
        return not self.violations


class Due(NamedTuple):
    """The next step under a time limit and its deadline (``next_due``)."""

    step_code: str
    due_on: date
