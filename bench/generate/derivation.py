"""What the service derives from a recruit's steps, computed with the project's own derivation.

``recruits/service/records.py`` re-derives after every recorded step with
``resolvers/recruits/rules/derivation.derive`` (the findings of each step judged with the rules
of its date, the stage and the date it was entered, the next deadline, the milestones).
:meth:`Deriver.derive` calls that same function; the test compares its output with
``service.derive`` itself on the loaded data.

Two things make it fast enough for millions of steps without changing what it computes:

* rule sets are cached per province and per span of dates between the effective dates of the
  overlays and of the national versions (``resolve_rules`` depends on the date only through
  which of them are in force);
* nothing is read from a database: the procedure (calendar, overlays) is passed in;
* a step that no time limit of its rules governs is not evaluated unless ``validate``
  (the derivation's ``timed_only``: its evaluation can only yield findings through a time
  limit, so skipping it changes nothing derived). With ``validate`` every step is judged, and
  a refused one — a generator bug — raises; the loader validates a fixed sample of recruits,
  the test all of them.
"""

from __future__ import annotations

import bisect
from collections.abc import Sequence
from datetime import date

from partyplan.resolvers.recruits.rules import derivation
from partyplan.resolvers.recruits.rules.calendar import WorkingCalendar
from partyplan.resolvers.recruits.rules.national import NATIONAL_TABLES, NationalTables
from partyplan.resolvers.recruits.rules.overlays import (
    BUILTIN_OVERLAYS,
    Overlay,
    RuleSet,
    resolve_rules,
)
from partyplan.resolvers.recruits.rules.steps import Evaluation, RecordedStep, RecruitFacts


class RuleSets:
    """``resolve_rules(province, school, overlays=…, as_of=on)``, cached by the overlays and
    national version in force on ``on`` (their effective dates cut time into spans with one rule
    set each)."""

    def __init__(
        self,
        province: str,
        school: str | None,
        overlays: tuple[Overlay, ...] = BUILTIN_OVERLAYS,
        national: NationalTables = NATIONAL_TABLES,
    ) -> None:
        self.province, self.school, self.overlays = province, school, overlays
        self.national = national
        dated = {o.effective_from for o in overlays if o.effective_from is not None}
        self._cuts = sorted(dated | set(national.cuts))
        self.sets: dict[int, RuleSet] = {}
        self.versions: dict[int, str] = {}  # RuleSet.version joins strings on every read

    def span(self, day: date) -> int:
        span = bisect.bisect_right(self._cuts, day)
        if span not in self.sets:
            rules = resolve_rules(
                self.province,
                self.school,
                overlays=self.overlays,
                national=self.national,
                as_of=day,
            )
            self.sets[span], self.versions[span] = rules, rules.version
        return span

    def on(self, day: date) -> RuleSet:
        return self.sets[self.span(day)]


class Deriver:
    def __init__(self, rules: RuleSets, calendar: WorkingCalendar) -> None:
        self.rules, self.calendar = rules, calendar

    def derive(
        self, history: Sequence[RecordedStep], birth_date: date, *, validate: bool = True
    ) -> derivation.Derived:
        """``history`` in the service's order (date, then id)."""
        return derivation.derive(
            history,
            RecruitFacts(birth_date),
            self.rules.on,
            self.calendar,
            timed_only=not validate,
            refused=_refused,
        )

    def versions(self, history: Sequence[RecordedStep]) -> tuple[str, ...]:
        """Each step's ``rule_version``: the version of the rules of its date."""
        return tuple(self.rules.versions[self.rules.span(step.on)] for step in history)


def _refused(step: RecordedStep, result: Evaluation) -> None:
    raise AssertionError(f"generated step refused: {step} {result.violations}")
