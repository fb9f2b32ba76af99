"""What a recruit's record derives from its steps, and nothing else: the one definition that the
service stores after every write (``service.derive``) and the bench generator computes for the
records it loads (``bench/generate/derivation.py``). Pure: the rules of each date and the
calendar are passed in.

* the findings: every step judged against the steps before it with the rules of its own date
  (the late steps' time limits, and what an advisory rule finds);
* the stage (:func:`.engine.stage_after`) and the date it was entered (the latest step entering
  it; the application's date before any);
* the next step due and its deadline, under the rules of the last step's date;
* the milestones: the date the recruit first entered each stage (the roll-up tallies count from
  them; ``approved_on`` is the admission, step 17);
* the earliest admission still possible and what today adds to it (``earliest.derive_columns``,
  read by the feasible admissions: docs/feasible-admissions.md).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from . import earliest
from .calendar import WorkingCalendar
from .engine import evaluate, next_due, stage_after
from .overlays import RuleSet
from .steps import STEP_BY_CODE, Evaluation, Finding, RecordedStep, RecruitFacts, Stage

#: The recruit's milestone columns and the stage whose entry each records.
MILESTONE_COLUMNS = {
    "applied_on": Stage.APPLICANT,
    "activist_on": Stage.ACTIVIST,
    "target_on": Stage.DEVELOPMENT_TARGET,
    "approved_on": Stage.PROBATIONARY,
    "converted_on": Stage.FULL_MEMBER,
    "cancelled_on": Stage.CANCELLED,
}

#: Called with a step the rules refuse, by a caller that wants to know (the generator).
Refused = Callable[[RecordedStep, Evaluation], None]


@dataclass(frozen=True, slots=True)
class Derived:
    stage: str
    stage_since: date
    next_step: str | None
    next_due_on: date | None
    findings: tuple[dict[str, Any], ...]  # recruit_findings rows, without the recruit's columns
    milestones: dict[str, date | None]  # applied_on … cancelled_on
    admission: dict[str, Any]  # admission_earliest_on, _possible_until, _steps_left

    def columns(self) -> dict[str, Any]:
        """The recruit's derived columns, as stored."""
        return {
            "stage": self.stage,
            "stage_since": self.stage_since,
            "next_step": self.next_step,
            "next_due_on": self.next_due_on,
            "open_findings": len(self.findings),
            **self.milestones,
            **self.admission,
        }


def finding_row(step_code: str, finding: Finding) -> dict[str, Any]:
    return {
        "rule_id": finding.rule_id,
        "rule_version": finding.version,
        "article": finding.article,
        "severity": finding.severity.value,
        "step_code": step_code,
        "message": finding.message,
        "due_on": finding.due_on,
        "days_late": finding.days_late,
    }


def milestones(history: Sequence[RecordedStep]) -> dict[str, date | None]:
    """The date the recruit entered each stage."""
    entered: dict[Stage, date] = {}
    for step in history:
        stage = STEP_BY_CODE[step.step_code].enters
        if stage is not None and stage not in entered:
            entered[stage] = step.on
    return {column: entered.get(stage) for column, stage in MILESTONE_COLUMNS.items()}


def derive(
    history: Sequence[RecordedStep],
    facts: RecruitFacts,
    rules_on: Callable[[date], RuleSet],
    calendar: WorkingCalendar,
    *,
    timed_only: bool = False,
    refused: Refused | None = None,
) -> Derived:
    """Derive the record from ``history`` (the current steps, by date then id; at least the
    application). ``rules_on(day)``: the rules in force on that day.

    ``timed_only``: judge only the steps some time limit or advisory rule of their rules
    governs. Judging any other step can only refuse it, never find anything, so the findings
    are the same; a caller sure of its history (a generator) skips the work. ``refused`` is told of every refused
    step; the service's history was accepted when recorded, so it passes none."""
    findings: list[dict[str, Any]] = []
    for index, step in enumerate(history):
        rules = rules_on(step.on)
        if timed_only and not (
            rules.time_limits(step.step_code) or rules.advisories(step.step_code)
        ):
            continue
        result = evaluate(
            step.step_code, step.on, step.data, history[:index], facts, rules, calendar
        )
        if refused is not None and not result.accepted:
            refused(step, result)
        findings += [finding_row(step.step_code, f) for f in result.findings]
    stage = stage_after(history)
    since = max((s.on for s in history if STEP_BY_CODE[s.step_code].enters == stage), default=None)
    due = next_due(history, rules_on(history[-1].on), calendar, facts)
    return Derived(
        stage=stage.value if stage else "applicant",
        stage_since=since or history[0].on,
        next_step=due.step_code if due else None,
        next_due_on=due.due_on if due else None,
        findings=tuple(findings),
        milestones=milestones(history),
        admission=earliest.derive_columns(history, facts, rules_on, calendar),
    )
