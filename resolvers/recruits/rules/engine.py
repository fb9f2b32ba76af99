"""The rule engine: judge a step against the rules in force, derive a recruit's stage and next
deadline from the recorded steps. Pure: no database, no clock ("today" is the caller's).

* :func:`evaluate` — preconditions first: any failure refuses the step with
  ``RuleViolation``\\ s citing rule id, version and article; the step's data shape is checked
  before everything else, as the other checks read it. An accepted step gets the ``Finding``\\ s
  of the advisory rules it fails and of the time limits it missed.
* :func:`stage_after` — the stage is derived from the recorded steps, never stored apart.
* :func:`next_due` — the next step under a time limit and its deadline, for lists and warnings.
* :func:`probation_ends_on` — 1 year (the table's probation) from the branch meeting (step 15),
  plus any extension (细则第三十二条). The end date is the anniversary of the meeting: the day a
  timely conversion takes effect (党龄 counts from it).

Date conventions: "within N months of X" means on or before ``add_months(X, N)`` (clamped to the
month's end, see ``calendar.add_months``); a waiting time "N months after X" is met on
``add_months(X, N)`` itself; ages follow ``identity.turns_age_on`` (18 on the 18th birthday).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any

from .calendar import WorkingCalendar
from .checks import Case, problems
from .facts import Facts, anchor_label, step_label
from .overlays import RuleSet
from .steps import (
    STEP_BY_CODE,
    Due,
    Evaluation,
    Finding,
    RecordedStep,
    RecruitFacts,
    RuleViolation,
    Stage,
    step_named,
)
from .table import DataShape, TimeLimit

__all__ = ["evaluate", "next_due", "probation_ends_on", "stage_after"]

_STAGE_RANK = {stage: rank for rank, stage in enumerate(Stage)}  # CANCELLED ranks last: final


# --- public API -------------------------------------------------------------------------------


def evaluate(
    step_code: str,
    on: date,
    data: Mapping[str, Any],
    history: Sequence[RecordedStep],
    recruit: RecruitFacts,
    rules: RuleSet,
    calendar: WorkingCalendar,
) -> Evaluation:
    """Judge recording ``step_code`` on ``on`` with ``data``, after ``history``.

    Refused (``violations``, no findings) when a precondition fails; otherwise accepted with the
    ``findings`` of the time limits the step missed. Raises ValueError for an unknown step code
    (a programming error, not a business rule).
    """
    step = step_named(step_code)
    case = Case(step, on, data, recruit, Facts(history, rules, calendar, recruit))
    preconditions = rules.preconditions(step_code)
    # The shape first: the other checks read the data and would misjudge a malformed value.
    shape = [r for r in preconditions if isinstance(r.check, DataShape)]
    rest = [r for r in preconditions if not isinstance(r.check, DataShape)]
    for group in (shape, rest):
        violations = tuple(
            RuleViolation(rule.id, rule.version, rule.article, p.message, p.field, p.code)
            for rule in group
            for p in problems(rule.check, case)
        )
        if violations:
            return Evaluation(step_code, on, violations)
    advised = tuple(
        Finding(rule.id, rule.severity, p.message, None, None, rule.version, rule.article)
        for rule in rules.advisories(step_code)
        for p in problems(rule.check, case)
    )
    findings = tuple(
        finding
        for limit in rules.time_limits(step_code)
        if (finding := _finding(limit, case)) is not None
    )
    return Evaluation(step_code, on, (), advised + findings)


def _anchor(limit: TimeLimit, facts: Facts) -> date | None:
    """What ``limit`` counts from: for a periodic duty, the step's latest occurrence already
    recorded (the anchor before the first)."""
    if limit.repeats and (done := facts.dates(limit.step)):
        return done[-1]
    return facts.anchor(limit.anchor)


def _label(limit: TimeLimit, facts: Facts) -> str:
    if limit.repeats and facts.dates(limit.step):
        return f"上一次{step_label(STEP_BY_CODE[limit.step])}"
    return anchor_label(limit.anchor, facts)


def _finding(limit: TimeLimit, case: Case) -> Finding | None:
    anchor = _anchor(limit, case.facts)
    if anchor is None:
        return None
    deadlines = [(tier.within.after(anchor, case.facts.calendar), tier) for tier in limit.tiers]
    missed = [(due, tier) for due, tier in deadlines if case.on > due]
    if not missed:
        return None
    due, tier = max(missed, key=lambda pair: pair[0])  # the furthest deadline missed
    late = (case.on - due).days
    return Finding(
        rule_id=limit.id,
        severity=tier.severity,
        message=(
            f"{step_label(case.step)}于 {case.on} 完成，逾期 {late} 天：应在"
            f"{_label(limit, case.facts)}（{anchor}）后 {tier.within}内完成（最迟 {due}）"
        ),
        due_on=due,
        days_late=late,
        version=limit.version,
        article=limit.article,
    )


def stage_after(history: Sequence[RecordedStep]) -> Stage | None:
    """The recruit's stage after the recorded steps (None before any): the furthest stage a
    recorded step enters. An extension leaves the recruit probationary; a cancellation is
    final."""
    entered = [
        stage
        for recorded in history
        if (stage := step_named(recorded.step_code).enters) is not None
    ]
    return max(entered, key=_STAGE_RANK.__getitem__, default=None)


def probation_ends_on(
    history: Sequence[RecordedStep], rules: RuleSet, calendar: WorkingCalendar
) -> date | None:
    """The end of the probation, extension included; None before the branch meeting."""
    return Facts(history, rules, calendar).probation_end()


def next_due(
    history: Sequence[RecordedStep],
    rules: RuleSet,
    calendar: WorkingCalendar,
    recruit: RecruitFacts | None = None,
) -> Due | None:
    """The earliest deadline among the time-limited steps not yet recorded whose anchor is known
    (ties: the lower step number); a periodic duty is pending again after each occurrence, until
    its step closes. Its normal deadline — the first tier — is given; None when nothing is
    pending or the procedure ended. Compare with today to flag it overdue. ``recruit``: the
    facts some anchors need (a transfer); without them those rules wait."""
    facts = Facts(history, rules, calendar, recruit)
    if facts.cancelled_on() is not None:
        return None
    candidates: list[tuple[date, int, str]] = []
    for limit in rules.all_time_limits():
        step = STEP_BY_CODE[limit.step]
        if (facts.dates(limit.step) and not limit.repeats) or (
            step.until and facts.dates(step.until)
        ):
            continue
        anchor = _anchor(limit, facts)
        if anchor is None:
            continue
        due = min(tier.within.after(anchor, calendar) for tier in limit.tiers)
        candidates.append((due, step.number or 0, limit.step))
    if not candidates:
        return None
    due, _, code = min(candidates)
    return Due(code, due)
