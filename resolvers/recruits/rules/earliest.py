"""The earliest day a recruit can still be admitted (step 17, 上级党委审批), walked through the
rule table — never a second copy of its waiting times or validities (docs/feasible-admissions.md).

:func:`walk` places each step an admission still needs (:data:`PATH` less what is recorded) on
the earliest day the rules in force that day accept it: not before ``start`` (today), not before
the steps it requires (``proc.order``), and not before the date each of its rules' lower bounds
gives — a :class:`~.table.MinInterval`'s anchor plus its period (the national table's one: an
activist's year of education, 细则第十三条), a :class:`~.table.MinAge`, the end of the probation.
Each placement is then judged by the engine's own checks (``checks.problems``) with data that
satisfies the step's data rules (``sample_data.py``): a check that still fails and has no lower
bound — a validity that ran out (``review.valid_1y``), an unqualified review, a target leaving
within three months (``target.leaving_3m``, an advisory: normally not admitted, so not counted) —
blocks the admission. Time limits are not bounds: a late step is accepted with a finding.

Everything only moves later as ``start`` moves later (each bound is a monotone function of the
dates before it), so the walk splits in two parts that :func:`derive_columns` stores on the
recruit when its steps change, and a read combines with today:

* ``admission_earliest_on``: the walk from the recorded steps with no floor;
* ``admission_steps_left``: the steps still needed, as a bit mask of their numbers — the walk
  from today over those steps alone (:func:`floor`, a few masks per procedure) gives the other
  part; the admission's earliest day is the later of the two;
* ``admission_possible_until``: the last ``start`` from which the walk is still not blocked
  (None: no rule ever blocks it).

Pure: no database, no clock.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import cache
from typing import Any

from .calendar import WorkingCalendar
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
    Publicity,
    Quorum,
    RecordedValue,
    VoteCounts,
)
from .checks import Case, problems
from .facts import Facts
from .identity import turns_age_on
from .overlays import RuleSet
from .sample_data import sample_data
from .steps import STEP_BY_CODE, STEPS, RecordedStep, RecruitFacts, Stage, Step

__all__ = [
    "ADMISSION",
    "PATH",
    "Placed",
    "Walk",
    "derive_columns",
    "floor",
    "masks",
    "walk",
]

#: The step that counts: an admission is its approval.
ADMISSION = "approval"
#: How far ahead :func:`derive_columns` looks for the end of a recruit's chances.
HORIZON = timedelta(days=366 * 20)
#: The date recorded steps are given when only which steps are recorded matters (:func:`floor`).
_LONG_AGO = date(1900, 1, 1)
#: What placed a step where it is when no rule did: the walk's start (today).
START = "start"


def _path() -> tuple[Step, ...]:
    needed, todo = set(), [ADMISSION]
    while todo:
        code = todo.pop()
        if code not in needed:
            needed.add(code)
            todo.extend(STEP_BY_CODE[code].requires)
    return tuple(s for s in STEPS if s.code in needed)


#: The steps an admission needs, in procedure order: the approval and all it requires.
PATH: tuple[Step, ...] = _path()
_BIT = {s.code: 1 << (s.number or 0) for s in PATH}


RulesOn = Callable[[date], RuleSet]


@dataclass(frozen=True, slots=True)
class Placed:
    """A step the walk places: its day, the rule whose bound put it there (``START``: the
    walk's start; ``proc.order``: a step it requires) and data the rules accept."""

    step_code: str
    on: date
    bound: str
    data: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Walk:
    steps: tuple[Placed, ...]
    #: The admission's earliest day; None when ``blocked_by`` names the rule that forbids it.
    admitted_on: date | None
    blocked_by: str | None = None
    blocked_step: str | None = None


# --- lower bounds: the only knowledge added to the checks, per check type ---------------------


def _lower_bound(check: Check, case: Case) -> date | None:
    """The first day ``check`` can pass for this step, where a later day can make it pass;
    None where the day does not help (the check is about data, or blocks for good)."""
    match check:
        case MinInterval(after=anchor_code, period=period):
            anchor = case.facts.anchor(anchor_code)
            return None if anchor is None else period.after(anchor, case.facts.calendar)
        case MinAge(years=years):
            return turns_age_on(case.recruit.birth_date, years)
        case NotBeforeProbationEnd():
            return case.facts.probation_end()
        case InOrder():
            dates = [case.facts.dates(code) for code in case.step.requires]
            return max((d[0] for d in dates if d), default=None)
    return None


#: Every check type and whether a later day may satisfy it (tests hold the list complete).
CHECK_TYPES: Mapping[type, bool] = {
    DataShape: False,
    InOrder: True,
    MaxOccurrences: False,
    MinAge: True,
    MinInterval: True,
    MaxInterval: False,
    MemberCount: False,
    AnyMinimum: False,
    VoteCounts: False,
    Quorum: False,
    Majority: False,
    RecordedValue: False,
    IntRange: False,
    LeavesWithin: False,
    NotBeforeStep: False,
    NotBeforeProbationEnd: True,
    Publicity: False,
}


# --- the walk ---------------------------------------------------------------------------------


def _recorded(history: Sequence[RecordedStep]) -> set[str]:
    return {s.step_code for s in history}


def pending(history: Sequence[RecordedStep]) -> bool:
    """Whether an admission is still ahead: not approved, not cancelled, any step recorded."""
    entered = {STEP_BY_CODE[s.step_code].enters for s in history}
    done = {Stage.PROBATIONARY, Stage.FULL_MEMBER, Stage.CANCELLED}
    return bool(history) and not (entered & done)


def _place(
    step: Step,
    history: list[RecordedStep],
    recruit: RecruitFacts,
    rules_on: RulesOn,
    calendar: WorkingCalendar,
    start: date | None,
    judge: bool,
) -> tuple[Placed, str | None]:
    """The step's earliest day, and the rule that blocks it there (None: accepted)."""
    on, bound = start or _LONG_AGO, START
    facts = Facts(history, rules_on(on), calendar, recruit)
    for _ in range(64):  # each round moves the day later or stops; rule sets change rarely
        rules = rules_on(on)
        facts.rules = rules
        case = Case(step, on, {}, recruit, facts)
        moved = False
        for rule in (*rules.preconditions(step.code), *rules.advisories(step.code)):
            if CHECK_TYPES[type(rule.check)]:
                lower = _lower_bound(rule.check, case)
                if lower is not None and lower > on:
                    on, bound, moved = lower, rule.id, True
                    case = Case(step, on, {}, recruit, facts)
        if not moved:
            break
    rules = rules_on(on)
    facts.rules = rules
    data = sample_data(step, on, rules, calendar)
    placed = Placed(step.code, on, bound, data)
    if not judge:
        return placed, None
    case = Case(step, on, data, recruit, facts)
    for rule in (*rules.preconditions(step.code), *rules.advisories(step.code)):
        if next(iter(problems(rule.check, case)), None) is not None:
            return placed, rule.id
    return placed, None


def walk(
    history: Sequence[RecordedStep],
    recruit: RecruitFacts,
    rules_on: RulesOn,
    calendar: WorkingCalendar,
    start: date | None = None,
    *,
    judge: bool = True,
) -> Walk | None:
    """Place every step the admission still needs on its earliest day, not before ``start``;
    None when no admission is pending. ``judge=False`` only moves days (``floor``)."""
    if not pending(history):
        return None
    done = _recorded(history)
    steps: list[RecordedStep] = sorted(history, key=lambda s: s.on)
    placed: list[Placed] = []
    for step in PATH:
        if step.code in done:
            continue
        spot, blocked = _place(step, steps, recruit, rules_on, calendar, start, judge)
        placed.append(spot)
        if blocked is not None:
            return Walk(tuple(placed), None, blocked, step.code)
        steps.append(RecordedStep(step.code, spot.on, spot.data))
    return Walk(tuple(placed), placed[-1].on if placed else None)


def mask(history: Sequence[RecordedStep]) -> int:
    """The steps still needed, as bits of their numbers. A step counts as recorded only with
    every step it requires (a history out of order, which the rules refuse, is read as the
    prefix it keeps)."""
    done: set[str] = set()
    recorded = _recorded(history)
    for step in PATH:
        if step.code in recorded and all(r in done for r in step.requires):
            done.add(step.code)
    return sum(bit for code, bit in _BIT.items() if code not in done)


@cache
def masks() -> tuple[int, ...]:
    """Every mask a recruit with an admission ahead can have: the steps left after any set of
    recorded steps closed under ``requires`` that holds the application."""
    found: set[int] = set()

    def grow(done: frozenset[str]) -> Iterator[frozenset[str]]:
        for step in PATH:
            ready = all(r in done for r in step.requires)
            if step.code not in done and step.code != ADMISSION and ready:
                yield done | {step.code}

    todo = [frozenset({"application"})]
    seen: set[frozenset[str]] = set()
    while todo:
        done = todo.pop()
        if done in seen:
            continue
        seen.add(done)
        found.add(sum(bit for code, bit in _BIT.items() if code not in done))
        todo.extend(grow(done))
    return tuple(sorted(found))


def _history_of(steps_left: int) -> list[RecordedStep]:
    return [RecordedStep(s.code, _LONG_AGO) for s in PATH if not steps_left & _BIT[s.code]]


def floor(
    steps_left: int, rules_on: RulesOn, calendar: WorkingCalendar, today: date
) -> date | None:
    """The earliest admission from ``today`` for the steps of ``steps_left`` alone, as if the
    recorded ones lay far back: the part of the walk that today moves."""
    history = _history_of(steps_left)
    found = walk(history, RecruitFacts(_LONG_AGO), rules_on, calendar, today, judge=False)
    return None if found is None else found.admitted_on


def _endings(
    history: Sequence[RecordedStep],
    base: Walk,
    recruit: RecruitFacts,
    rules_on: RulesOn,
    calendar: WorkingCalendar,
) -> list[date] | None:
    """None when no rule of a remaining step can block it on a later day; else the last days of
    the validities counted from recorded steps (where the search for the end looks first). A
    validity or departure counted from a step the walk places moves with it, and never ends."""
    walked = {p.step_code for p in base.steps}
    found: list[date] | None = None
    for placed in base.steps:
        rules = rules_on(placed.on)
        facts = Facts(history, rules, calendar, recruit)
        for rule in (*rules.preconditions(placed.step_code), *rules.advisories(placed.step_code)):
            match rule.check:
                case MaxInterval(after=anchor, period=period) if anchor not in walked:
                    found = found or []
                    if (since := facts.anchor(anchor)) is not None:
                        found.append(period.after(since, calendar))
                case LeavesWithin(step=step) if step != placed.step_code and step not in walked:
                    found = found or []
    return found


def _until(
    history: Sequence[RecordedStep],
    recruit: RecruitFacts,
    rules_on: RulesOn,
    calendar: WorkingCalendar,
    endings: list[date],
) -> date | None:
    """The last ``start`` from which the walk still leads to an admission (None: none ends)."""

    def opens(start: date) -> bool:
        found = walk(history, recruit, rules_on, calendar, start)
        return found is not None and found.admitted_on is not None

    last = max(s.on for s in history)
    low, high = last, last + HORIZON  # open at ``low``, blocked at ``high``
    if opens(high):
        return None
    if not opens(low):
        return last - timedelta(days=1)
    for end in sorted(endings):  # usually a validity binds on its own last day
        if low <= end < high and opens(end) and not opens(end + timedelta(days=1)):
            return end
    while (high - low).days > 1:
        middle = low + (high - low) // 2
        if opens(middle):
            low = middle
        else:
            high = middle
    return low


def derive_columns(
    history: Sequence[RecordedStep],
    recruit: RecruitFacts,
    rules_on: RulesOn,
    calendar: WorkingCalendar,
) -> dict[str, Any]:
    """The recruit's stored admission columns (module docstring)."""
    empty = {
        "admission_earliest_on": None,
        "admission_possible_until": None,
        "admission_steps_left": None,
    }
    base = walk(history, recruit, rules_on, calendar)
    if base is None:
        return empty
    steps_left = mask(history)
    if base.admitted_on is None:
        return {**empty, "admission_steps_left": steps_left}
    endings = _endings(history, base, recruit, rules_on, calendar)
    until = None if endings is None else _until(history, recruit, rules_on, calendar, endings)
    return {
        "admission_earliest_on": base.admitted_on,
        "admission_possible_until": until,
        "admission_steps_left": steps_left,
    }
