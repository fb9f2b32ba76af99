"""What the service derives from a recruit's steps, computed with the project's own rule engine.

``recruits/service.py`` re-derives after every recorded step: it judges each step of the
history against the steps before it with the rules of the step's date (its findings), then
takes the stage, the date it was entered, the next deadline (rules of the last step's date) and
the milestones. :meth:`Deriver.derive` runs the same pure functions (``engine.evaluate``,
``stage_after``, ``next_due``, ``service.milestones``) in the same way; the test compares its
output with ``service.derive`` itself on the loaded data.

Two things make it fast enough for millions of steps without changing what it computes:

* rule sets are cached per province and per span of dates between the overlays' effective
  dates (``resolve_rules`` depends on the date only through which overlays are in force);
* nothing is read from a database: the procedure (calendar, overlays) is passed in;
* a step that no time limit of its rules governs is not evaluated unless ``validate``: in the
  service its evaluation can only yield findings through a time limit, so skipping it changes
  nothing derived. With ``validate`` every step is judged, and a refused one — a generator
  bug — raises; the loader validates a fixed sample of recruits, the test all of them.
"""

from __future__ import annotations

import bisect
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from partyplan.resolvers.recruits.rules.calendar import WorkingCalendar
from partyplan.resolvers.recruits.rules.engine import evaluate, next_due, stage_after
from partyplan.resolvers.recruits.rules.overlays import (
    BUILTIN_OVERLAYS,
    Overlay,
    RuleSet,
    resolve_rules,
)
from partyplan.resolvers.recruits.rules.steps import STEP_BY_CODE, RecordedStep, RecruitFacts
from partyplan.resolvers.recruits.service import milestones


@dataclass(frozen=True, slots=True)
class Derived:
    stage: str
    stage_since: date
    next_step: str | None
    next_due_on: date | None
    findings: tuple[dict[str, Any], ...]  # recruit_findings rows, as the service writes them
    milestones: dict[str, date | None]  # applied_on … cancelled_on
    versions: tuple[str, ...]  # each step's rule_version (the rules of its date)


class RuleSets:
    """``resolve_rules(province, school, overlays=…, as_of=on)``, cached by the overlays in
    force on ``on`` (their effective dates cut time into spans with one rule set each)."""

    def __init__(
        self, province: str, school: str | None, overlays: tuple[Overlay, ...] = BUILTIN_OVERLAYS
    ) -> None:
        self.province, self.school, self.overlays = province, school, overlays
        self._cuts = sorted({o.effective_from for o in overlays if o.effective_from is not None})
        self.sets: dict[int, RuleSet] = {}
        self.versions: dict[int, str] = {}  # RuleSet.version joins strings on every read

    def span(self, day: date) -> int:
        span = bisect.bisect_right(self._cuts, day)
        if span not in self.sets:
            rules = resolve_rules(self.province, self.school, overlays=self.overlays, as_of=day)
            self.sets[span], self.versions[span] = rules, rules.version
        return span

    def on(self, day: date) -> RuleSet:
        return self.sets[self.span(day)]


class Deriver:
    def __init__(self, rules: RuleSets, calendar: WorkingCalendar) -> None:
        self.rules, self.calendar = rules, calendar

    def derive(
        self, history: Sequence[RecordedStep], birth_date: date, *, validate: bool = True
    ) -> Derived:
        """``history`` in the service's order (date, then id)."""
        facts = RecruitFacts(birth_date)
        findings: list[dict[str, Any]] = []
        versions = []
        for index, step in enumerate(history):
            span = self.rules.span(step.on)
            versions.append(self.rules.versions[span])
            rules = self.rules.sets[span]
            if not validate and not rules.time_limits(step.step_code):
                continue  # no finding can come of it (see the module's docstring)
            result = evaluate(
                step.step_code, step.on, step.data, history[:index], facts, rules, self.calendar
            )
            if not result.accepted:
                raise AssertionError(f"generated step refused: {step} {result.violations}")
            findings += [
                {
                    "rule_id": f.rule_id,
                    "rule_version": f.version,
                    "article": f.article,
                    "severity": f.severity.value,
                    "step_code": step.step_code,
                    "message": f.message,
                    "due_on": f.due_on,
                    "days_late": f.days_late,
                }
                for f in result.findings
            ]
        stage = stage_after(history)
        since = max(
            (s.on for s in history if STEP_BY_CODE[s.step_code].enters == stage), default=None
        )
        due = next_due(history, self.rules.on(history[-1].on), self.calendar)
        return Derived(
            stage=stage.value if stage else "applicant",
            stage_since=since or history[0].on,
            next_step=due.step_code if due else None,
            next_due_on=due.due_on if due else None,
            findings=tuple(findings),
            milestones=milestones(list(history)),
            versions=tuple(versions),
        )
