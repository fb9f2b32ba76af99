"""The checks of preconditions: one function per check type of ``table.py``, over the indexed
facts of a recruit's recorded steps (``facts.py``). Pure; ``engine.py`` runs them.

Each check yields :class:`Problem` objects — nothing when the step passes. A problem names its
place in the step as recordStep takes it (``steps.ON``, ``steps.STEP`` or a ``steps.datum``,
whose key is the field spec's name as the caller sends it) and, where the schema declares one,
its specific code. A check whose anchor step is missing stays silent: the missing step is
``proc.order``'s to report, once.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from datetime import date
from typing import Any, NamedTuple

from partyplan.resolvers.recruits.errors import RecruitErrorCode
from partyplan.resolvers.text import unsafe

from .facts import Facts, anchor_label, calendar_date, step_label
from .identity import turns_age_on
from .steps import (
    ON,
    STEP,
    STEP_BY_CODE,
    FieldKind,
    FieldSpec,
    RecruitFacts,
    Step,
    datum,
)
from .table import (
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
    Publicity,
    Quorum,
    RecordedValue,
    VoteCounts,
)

__all__ = ["Case", "Problem", "problems"]

_TEXT_LIMIT = 500


def _count(data: Mapping[str, Any], key: str, default: int | None = None) -> int | None:
    value = data.get(key, default)
    return value if isinstance(value, int) and not isinstance(value, bool) else default


# --- checks -----------------------------------------------------------------------------------


class Problem(NamedTuple):
    message: str
    field: str  # steps.ON, steps.STEP or a steps.datum
    code: RecruitErrorCode = RecruitErrorCode.RULE_VIOLATION


Problems = Iterator[Problem]


class Case:
    """One step under judgement."""

    def __init__(
        self, step: Step, on: date, data: Mapping[str, Any], recruit: RecruitFacts, facts: Facts
    ) -> None:
        self.step, self.on, self.data, self.recruit, self.facts = step, on, data, recruit, facts


_CHECKS: dict[type, Callable[[Any, Case], Problems]] = {}


def _check(kind: type) -> Callable[[Callable[[Any, Case], Problems]], Any]:
    def register(fn: Callable[[Any, Case], Problems]) -> Any:
        _CHECKS[kind] = fn
        return fn

    return register


def _label(step: Step, key: str) -> str:
    """A datum's official term; the key itself when the step declares none by that name."""
    return next((spec.label for spec in step.fields if spec.name == key), key)


def _choice(spec: FieldSpec, value: Any) -> str:
    """A CHOICE datum's value with its official term: ``qualified（合格）``."""
    label = next((choice.label for choice in spec.choices if choice.value == value), None)
    return f"{value}（{label}）" if label else str(value)


def _first(step: Step, required: Step) -> str:
    """A step recorded before one it needs (proc.order, and a recorded value's check)."""
    return f"记录{step_label(step)}前，须先记录{step_label(required)}"


def _kind_problem(spec: FieldSpec, value: Any) -> str | None:
    match spec.kind:
        case FieldKind.INTEGER:
            if isinstance(value, bool) or not isinstance(value, int) or value < 0:
                return "须为不小于 0 的整数"
        case FieldKind.TEXT:
            if not isinstance(value, str) or not value.strip() or len(value) > _TEXT_LIMIT:
                return f"须为 1 至 {_TEXT_LIMIT} 个字符的文字"
            return unsafe(value)  # the free-text rule of every input (resolvers/text.py)
        case FieldKind.DATE:
            if calendar_date(value) is None:
                return "须为日期（YYYY-MM-DD）"
        case FieldKind.MEMBERS:
            ok = isinstance(value, list | tuple) and all(
                (isinstance(m, str) and m.strip())
                or (isinstance(m, int) and not isinstance(m, bool))
                for m in value
            )
            if not ok:
                return "须为党员编号的列表"
        case FieldKind.CHOICE:
            if value not in spec.values:
                return f"须为以下之一：{'、'.join(_choice(spec, v) for v in spec.values)}"
    return None


@_check(DataShape)
def _data_shape(_: DataShape, case: Case) -> Problems:
    specs = {spec.name: spec for spec in case.step.fields}
    for key in case.data:
        if key not in specs:
            yield Problem(f"{step_label(case.step)}没有“{key}”这一数据项", datum(key))
    for spec in specs.values():
        value = case.data.get(spec.name)
        if value is None:
            if spec.required:
                yield Problem(f"{spec.label}为必填项", datum(spec.name))
        elif problem := _kind_problem(spec, value):
            yield Problem(f"{spec.label}{problem}", datum(spec.name))


@_check(InOrder)
def _in_order(_: InOrder, case: Case) -> Problems:
    if (cancelled := case.facts.cancelled_on()) is not None:
        ended = f"已于 {cancelled} 取消预备党员资格，发展程序已终止"
        yield Problem(ended, STEP)
        return
    for code in case.step.requires:
        dates = case.facts.dates(code)
        required = step_label(STEP_BY_CODE[code])
        if not dates:
            yield Problem(_first(case.step, STEP_BY_CODE[code]), STEP)
        elif dates[0] > case.on:
            yield Problem(f"{step_label(case.step)}的日期不能早于{required}（{dates[0]}）", ON)
    if case.step.until and (closed := case.facts.dates(case.step.until)):
        until = step_label(STEP_BY_CODE[case.step.until])
        yield Problem(f"{step_label(case.step)}已结束：{until}已于 {closed[0]} 记录", STEP)


@_check(MaxOccurrences)
def _max_occurrences(check: MaxOccurrences, case: Case) -> Problems:
    dates = case.facts.dates(case.step.code)
    if len(dates) >= check.times:
        on = "、".join(str(d) for d in dates)
        yield Problem(f"{step_label(case.step)}只能记录 {check.times} 次，已于 {on} 记录", STEP)


@_check(MinAge)
def _min_age(check: MinAge, case: Case) -> Problems:
    reached = turns_age_on(case.recruit.birth_date, check.years)
    if case.on < reached:
        # The date is at fault, not the birth date: that is a fact, checked against the ID number.
        yield Problem(
            f"{step_label(case.step)}时须年满 {check.years} 周岁：本人 {reached} 年满 "
            f"{check.years} 周岁",
            ON,
            RecruitErrorCode.UNDERAGE,
        )


@_check(MinInterval)
def _min_interval(check: MinInterval, case: Case) -> Problems:
    anchor = case.facts.anchor(check.after)
    if anchor is None:
        return  # a missing prerequisite is proc.order's to report
    earliest = check.period.after(anchor, case.facts.calendar)
    if case.on < earliest:
        yield Problem(
            f"{step_label(case.step)}须在{anchor_label(check.after)}（{anchor}）满 {check.period}"
            f"后进行，不能早于 {earliest}",
            ON,
        )


@_check(MaxInterval)
def _max_interval(check: MaxInterval, case: Case) -> Problems:
    anchor = case.facts.anchor(check.after)
    if anchor is None:
        return
    latest = check.period.after(anchor, case.facts.calendar)
    if case.on > latest:
        yield Problem(
            f"{anchor_label(check.after)}（{anchor}）的有效期为 {check.period}，至 {latest} 止："
            f"{case.on} 进行{step_label(case.step)}时已超过有效期",
            ON,
        )


@_check(MemberCount)
def _member_count(check: MemberCount, case: Case) -> Problems:
    members = case.data.get(check.field)
    if not isinstance(members, list | tuple):
        return
    distinct = set(members)
    label = _label(case.step, check.field)
    if len(distinct) != len(members):
        yield Problem(f"{label}中同一党员出现了两次", datum(check.field))
    if not check.minimum <= len(distinct) <= check.maximum:
        wanted = (
            f"{check.minimum}"
            if check.minimum == check.maximum
            else f"{check.minimum} 至 {check.maximum}"
        )
        yield Problem(
            f"{label}须为 {wanted} 名不同的党员（现为 {len(distinct)} 名）",
            datum(check.field),
        )


@_check(AnyMinimum)
def _any_minimum(check: AnyMinimum, case: Case) -> Problems:
    if any((_count(case.data, key) or 0) >= minimum for key, minimum in check.minimums):
        return
    labels = {key: _label(case.step, key) for key, _ in check.minimums}
    wanted = "，或".join(f"{labels[key]}不少于 {minimum}" for key, minimum in check.minimums)
    given = "，".join(f"{labels[key]} {_count(case.data, key) or 0}" for key in labels)
    yield Problem(
        f"{step_label(case.step)}须{wanted}（现记录：{given}）",
        datum(check.minimums[0][0]),
    )


def _votes(case: Case) -> tuple[int, int, int, int] | None:
    entitled, present = _count(case.data, "entitled"), _count(case.data, "present")
    in_favour, written = _count(case.data, "in_favour"), _count(case.data, "written_votes", 0)
    if entitled is None or present is None or in_favour is None or written is None:
        return None
    return entitled, present, in_favour, written


@_check(VoteCounts)
def _vote_counts(_: VoteCounts, case: Case) -> Problems:
    if (votes := _votes(case)) is None:
        return
    entitled, present, in_favour, written = votes
    if present + written > entitled:
        yield Problem(
            f"实到会 {present} 人加书面意见 {written} 份，超过应到会的 {entitled} 人",
            datum("present"),
        )
    if in_favour > present + written:
        yield Problem(
            f"赞成 {in_favour} 票，超过实到会 {present} 人加书面意见 {written} 份",
            datum("in_favour"),
        )


@_check(Quorum)
def _quorum(check: Quorum, case: Case) -> Problems:
    if (votes := _votes(case)) is None:
        return
    entitled, present, _, _ = votes
    if not 2 * present > entitled:
        yield Problem(
            f"到会人数不足：应到会有表决权的正式党员 {entitled} 人，实到 {present} 人；"
            f"须超过半数（至少 {entitled // 2 + 1} 人）到会",
            datum("present"),
        )


@_check(Majority)
def _majority(check: Majority, case: Case) -> Problems:
    if (votes := _votes(case)) is None:
        return
    entitled, _, in_favour, _ = votes
    if not 2 * in_favour > entitled:
        yield Problem(
            f"未获通过：赞成 {in_favour} 票；赞成票须超过应到会有表决权的正式党员 {entitled} 人的"
            f"半数（至少 {entitled // 2 + 1} 票），而非仅超过实到会人数的半数",
            datum("in_favour"),
        )


@_check(RecordedValue)
def _recorded_value(check: RecordedValue, case: Case) -> Problems:
    found = case.facts.latest(check.step)
    named = step_label(STEP_BY_CODE[check.step])
    if found is None:
        yield Problem(_first(case.step, STEP_BY_CODE[check.step]), STEP)
    elif (got := found.data.get(check.field)) != check.value:
        spec = next(s for s in STEP_BY_CODE[check.step].fields if s.name == check.field)
        yield Problem(
            f"{named}（{found.on}）的{spec.label}为“{_choice(spec, got)}”，"
            f"须为“{_choice(spec, check.value)}”",
            STEP,
        )


@_check(IntRange)
def _int_range(check: IntRange, case: Case) -> Problems:
    value = _count(case.data, check.field)
    if value is not None and not check.minimum <= value <= check.maximum:
        yield Problem(
            f"{_label(case.step, check.field)}须为 {check.minimum} 至 {check.maximum}（现为 {value}）",
            datum(check.field),
        )


@_check(NotBeforeStep)
def _not_before_step(check: NotBeforeStep, case: Case) -> Problems:
    given = calendar_date(case.data.get(check.field))
    if given is not None and given < case.on:
        yield Problem(
            f"{_label(case.step, check.field)}（{given}）不能早于{step_label(case.step)}的日期"
            f"（{case.on}）",
            datum(check.field),
        )


@_check(LeavesWithin)
def _leaves_within(check: LeavesWithin, case: Case) -> Problems:
    if case.step.code == check.step:
        data, where = case.data, f"本次{step_label(case.step)}"
    elif (found := case.facts.latest(check.step)) is not None:
        data, where = found.data, f"{step_label(STEP_BY_CODE[check.step])}（{found.on}）"
    else:
        return  # a missing prerequisite is proc.order's to report
    leaves = calendar_date(data.get(check.field))
    latest = check.period.after(case.on, case.facts.calendar)
    if leaves is None or leaves > latest:
        return
    label = _label(STEP_BY_CODE[check.step], check.field)
    yield Problem(
        f"{where}记录的{label}为 {leaves}，不晚于{step_label(case.step)}（{case.on}）后 "
        f"{check.period}（{latest}）：发展对象即将离开本单位的，一般不在本单位接收为预备党员。"
        "宜将其培养教育和考察材料转交其将去的工作、学习单位（或居住地）党组织，"
        "由该党组织决定能否发展入党",
        STEP,
    )


@_check(NotBeforeProbationEnd)
def _not_before_probation_end(_: NotBeforeProbationEnd, case: Case) -> Problems:
    end = case.facts.probation_end()
    if end is not None and case.on < end:
        yield Problem(f"预备期至 {end} 期满：{step_label(case.step)}不能早于该日", ON)


@_check(Publicity)
def _publicity(check: Publicity, case: Case) -> Problems:
    first = calendar_date(case.data.get("publicity_from"))
    last = calendar_date(case.data.get("publicity_to"))
    if first is None or last is None:
        yield Problem(
            f"{step_label(case.step)}前须公示不少于 {check.min_working_days} 个工作日："
            "请填写公示开始日期和公示结束日期",
            datum("publicity_from" if first is None else "publicity_to"),
        )
    elif last < first:
        yield Problem("公示结束日期早于公示开始日期", datum("publicity_to"))
    elif last > case.on:
        yield Problem(
            f"公示须在 {case.on} 当日或之前结束（现至 {last} 结束）", datum("publicity_to")
        )
    elif (days := case.facts.calendar.working_days_between(first, last)) < check.min_working_days:
        yield Problem(
            f"公示期 {first} 至 {last} 共 {days} 个工作日，须不少于 "
            f"{check.min_working_days} 个工作日",
            datum("publicity_to"),
        )


def problems(check: Check, case: Case) -> Problems:
    """The problems ``check`` finds with ``case`` (none: the step passes it)."""
    return _CHECKS[type(check)](check, case)
