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
    Majority,
    MaxInterval,
    MaxOccurrences,
    MemberCount,
    MinAge,
    MinInterval,
    NotBeforeProbationEnd,
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


def _kind_problem(spec: FieldSpec, value: Any) -> str | None:
    match spec.kind:
        case FieldKind.INTEGER:
            if isinstance(value, bool) or not isinstance(value, int) or value < 0:
                return "must be a whole number, 0 or more"
        case FieldKind.TEXT:
            if not isinstance(value, str) or not value.strip() or len(value) > _TEXT_LIMIT:
                return f"must be text of 1–{_TEXT_LIMIT} characters"
        case FieldKind.DATE:
            if calendar_date(value) is None:
                return "must be a calendar date (YYYY-MM-DD)"
        case FieldKind.MEMBERS:
            ok = isinstance(value, list | tuple) and all(
                (isinstance(m, str) and m.strip())
                or (isinstance(m, int) and not isinstance(m, bool))
                for m in value
            )
            if not ok:
                return "must be a list of member ids"
        case FieldKind.CHOICE:
            if value not in spec.values:
                return f"must be one of {', '.join(spec.values)}"
    return None


@_check(DataShape)
def _data_shape(_: DataShape, case: Case) -> Problems:
    specs = {spec.name: spec for spec in case.step.fields}
    for key in case.data:
        if key not in specs:
            yield Problem(f"{step_label(case.step)} carries no {key!r}", datum(key))
    for spec in specs.values():
        value = case.data.get(spec.name)
        if value is None:
            if spec.required:
                yield Problem(f"{spec.label} ({spec.name}) is required", datum(spec.name))
        elif problem := _kind_problem(spec, value):
            yield Problem(f"{spec.label} ({spec.name}) {problem}", datum(spec.name))


@_check(InOrder)
def _in_order(_: InOrder, case: Case) -> Problems:
    if (cancelled := case.facts.cancelled_on()) is not None:
        ended = f"the probationary membership was cancelled on {cancelled}: the procedure ended"
        yield Problem(ended, STEP)
        return
    for code in case.step.requires:
        dates = case.facts.dates(code)
        required = step_label(STEP_BY_CODE[code])
        if not dates:
            yield Problem(f"{step_label(case.step)} needs {required} recorded first", STEP)
        elif dates[0] > case.on:
            yield Problem(
                f"{step_label(case.step)} cannot be dated before {required} ({dates[0]})", ON
            )
    if case.step.until and (closed := case.facts.dates(case.step.until)):
        until = step_label(STEP_BY_CODE[case.step.until])
        yield Problem(
            f"{step_label(case.step)} is closed: {until} was recorded on {closed[0]}", STEP
        )


@_check(MaxOccurrences)
def _max_occurrences(check: MaxOccurrences, case: Case) -> Problems:
    dates = case.facts.dates(case.step.code)
    if len(dates) >= check.times:
        on = ", ".join(str(d) for d in dates)
        limit = "once" if check.times == 1 else f"{check.times} times"
        yield Problem(
            f"{step_label(case.step)} may be recorded {limit} only: already on {on}", STEP
        )


@_check(MinAge)
def _min_age(check: MinAge, case: Case) -> Problems:
    reached = turns_age_on(case.recruit.birth_date, check.years)
    if case.on < reached:
        # The date is at fault, not the birth date: that is a fact, checked against the ID number.
        yield Problem(
            f"an applicant must be at least {check.years} on the date of {step_label(case.step)}: "
            f"{check.years} is reached on {reached}",
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
            f"{step_label(case.step)} needs {check.period} after {anchor_label(check.after)} "
            f"({anchor}): not before {earliest}",
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
            f"{anchor_label(check.after)} of {anchor} is valid {check.period}, until {latest}: "
            f"too old for {step_label(case.step)} on {case.on}",
            ON,
        )


@_check(MemberCount)
def _member_count(check: MemberCount, case: Case) -> Problems:
    members = case.data.get(check.field)
    if not isinstance(members, list | tuple):
        return
    distinct = set(members)
    if len(distinct) != len(members):
        yield Problem(f"the same member is named twice in {check.field}", datum(check.field))
    if not check.minimum <= len(distinct) <= check.maximum:
        wanted = (
            f"exactly {check.minimum}"
            if check.minimum == check.maximum
            else f"{check.minimum} to {check.maximum}"
        )
        yield Problem(
            f"{wanted} distinct {check.field} required ({len(distinct)} given)",
            datum(check.field),
        )


@_check(AnyMinimum)
def _any_minimum(check: AnyMinimum, case: Case) -> Problems:
    if any((_count(case.data, key) or 0) >= minimum for key, minimum in check.minimums):
        return
    wanted = " or ".join(f"{minimum} {key}" for key, minimum in check.minimums)
    given = ", ".join(f"{_count(case.data, key) or 0} {key}" for key, _ in check.minimums)
    yield Problem(
        f"{step_label(case.step)} needs at least {wanted} ({given} recorded)",
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
            f"{present} present + {written} written opinions exceed the {entitled} entitled",
            datum("present"),
        )
    if in_favour > present + written:
        yield Problem(
            f"{in_favour} votes in favour exceed the {present} present "
            f"+ {written} written opinions",
            datum("in_favour"),
        )


@_check(Quorum)
def _quorum(check: Quorum, case: Case) -> Problems:
    if (votes := _votes(case)) is None:
        return
    entitled, present, _, _ = votes
    if not 2 * present > entitled:
        yield Problem(
            f"no quorum: {present} of {entitled} voting members present; more than half "
            f"({entitled // 2 + 1}) must attend",
            datum("present"),
        )


@_check(Majority)
def _majority(check: Majority, case: Case) -> Problems:
    if (votes := _votes(case)) is None:
        return
    entitled, _, in_favour, _ = votes
    if not 2 * in_favour > entitled:
        yield Problem(
            f"not carried: {in_favour} in favour; more than half of the {entitled} members "
            f"entitled to vote ({entitled // 2 + 1}) is needed, not merely of those present",
            datum("in_favour"),
        )


@_check(RecordedValue)
def _recorded_value(check: RecordedValue, case: Case) -> Problems:
    found = case.facts.latest(check.step)
    named = step_label(STEP_BY_CODE[check.step])
    if found is None:
        yield Problem(f"{step_label(case.step)} needs {named} recorded first", STEP)
    elif found.data.get(check.field) != check.value:
        yield Problem(
            f"{named} of {found.on} concluded {found.data.get(check.field)!r}, not {check.value!r}",
            STEP,
        )


@_check(IntRange)
def _int_range(check: IntRange, case: Case) -> Problems:
    value = _count(case.data, check.field)
    if value is not None and not check.minimum <= value <= check.maximum:
        yield Problem(
            f"{check.field} must be {check.minimum}–{check.maximum} ({value} given)",
            datum(check.field),
        )


@_check(NotBeforeProbationEnd)
def _not_before_probation_end(_: NotBeforeProbationEnd, case: Case) -> Problems:
    end = case.facts.probation_end()
    if end is not None and case.on < end:
        yield Problem(
            f"the probation runs until {end}: {step_label(case.step)} cannot come earlier", ON
        )


@_check(Publicity)
def _publicity(check: Publicity, case: Case) -> Problems:
    first = calendar_date(case.data.get("publicity_from"))
    last = calendar_date(case.data.get("publicity_to"))
    if first is None or last is None:
        yield Problem(
            f"{step_label(case.step)} needs a publicity (公示) of at least {check.min_working_days} "
            "working days: give publicity_from and publicity_to",
            datum("publicity_from" if first is None else "publicity_to"),
        )
    elif last < first:
        yield Problem("the publicity ends before it starts", datum("publicity_to"))
    elif last > case.on:
        yield Problem(
            f"the publicity must have ended by {case.on} (it ends {last})", datum("publicity_to")
        )
    elif (days := case.facts.calendar.working_days_between(first, last)) < check.min_working_days:
        yield Problem(
            f"the publicity {first} – {last} lasted {days} working days; "
            f"at least {check.min_working_days} are required",
            datum("publicity_to"),
        )


def problems(check: Check, case: Case) -> Problems:
    """The problems ``check`` finds with ``case`` (none: the step passes it)."""
    return _CHECKS[type(check)](check, case)
