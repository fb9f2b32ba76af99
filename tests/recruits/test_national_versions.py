"""National versions of the 细则: a step is judged by the national table in force on its date.

The revised table here is built by the test (one rule changed, from a made-up date): no copy of
the reported 2026 revision is available, so none of its content is encoded anywhere.
"""

from __future__ import annotations

import dataclasses
from datetime import date, timedelta

import pytest

from partyplan.resolvers.recruits.rules.calendar import SAMPLE_CALENDAR_2023
from partyplan.resolvers.recruits.rules.derivation import derive
from partyplan.resolvers.recruits.rules.engine import evaluate
from partyplan.resolvers.recruits.rules.national import (
    NATIONAL_TABLES,
    NationalTables,
    NationalVersion,
)
from partyplan.resolvers.recruits.rules.overlays import (
    CHONGQING,
    SHANXI,
    Overlay,
    RuleSet,
    resolve_rules,
)
from partyplan.resolvers.recruits.rules.steps import RecordedStep, Severity
from partyplan.resolvers.recruits.rules.table import (
    NATIONAL_2014,
    IntRange,
    Period,
    Precondition,
    Rule,
    RuleTable,
    Tier,
    TimeLimit,
)

from .test_steps import PERSON, walked

D = date
CAL = SAMPLE_CALENDAR_2023
EFFECTIVE = D(2025, 8, 1)  # made up: the test's revision takes effect on this day
OLD_LIMIT = next(r for r in NATIONAL_2014.rules if r.id == "conversion_approval.within_3m")
# The one rule changed: conversion approved within 1 month of the resolution, not 3.
NEW_LIMIT = dataclasses.replace(
    OLD_LIMIT,
    version="test.1",
    article="测试修订第三十四条",
    tiers=(Tier(Period(months=1), Severity.WARNING),),
)


def revised(*rules: Rule, version: str = "test") -> RuleTable:
    """NATIONAL_2014 with ``rules`` replacing (by id) or added to its own."""
    replacing = {r.id: r for r in rules}
    kept = tuple(replacing.pop(r.id, r) for r in NATIONAL_2014.rules)
    return RuleTable(version, "测试修订", NATIONAL_2014.probation, kept + tuple(replacing.values()))


TEST_TABLES = NationalTables(
    (
        NATIONAL_TABLES.versions[0],
        NationalVersion(revised(NEW_LIMIT), EFFECTIVE, source="built by this test"),
    )
)


def rules_on(day: date) -> RuleSet:
    """Chongqing's: no overlay replaces the conversion's limit there (Shanxi's does)."""
    return resolve_rules(CHONGQING, "school-c", national=TEST_TABLES, as_of=day)


def test_the_production_registry_holds_only_the_2014_table() -> None:
    # Adding a national version is deliberate: a cited copy, an effective date, this test.
    assert [(v.table, v.effective_from) for v in NATIONAL_TABLES.versions] == [
        (NATIONAL_2014, None)
    ]
    assert resolve_rules(SHANXI, "school-a", as_of=D(2030, 1, 1)).base is NATIONAL_2014


def test_a_step_the_day_before_the_effective_date_is_judged_by_the_old_table() -> None:
    history = walked("conversion_approval")  # probation ends 2025-06-05
    eve = EFFECTIVE - timedelta(days=1)
    before = evaluate("conversion_approval", eve, {}, history, PERSON, rules_on(eve), CAL)
    assert before.accepted and before.findings == ()  # within 2014's 3 months
    assert rules_on(eve).version == "2014"
    on = evaluate("conversion_approval", EFFECTIVE, {}, history, PERSON, rules_on(EFFECTIVE), CAL)
    assert [(f.rule_id, f.version, f.article, f.due_on) for f in on.findings] == [
        ("conversion_approval.within_3m", "test.1", "测试修订第三十四条", D(2025, 7, 5))
    ]
    # In Shanxi the province's overlay still applies, and its reading of the rule (3 months
    # from the probation's end) still replaces the national one, whichever version is in force.
    shanxi = resolve_rules(SHANXI, "school-a", national=TEST_TABLES, as_of=EFFECTIVE)
    assert shanxi.version == "test+sx-2023"
    kept = evaluate("conversion_approval", EFFECTIVE, {}, history, PERSON, shanxi, CAL)
    assert kept.findings == ()


def test_a_recruit_across_two_versions_is_judged_step_by_step() -> None:
    steps = walked("conversion_approval")
    steps[1] = RecordedStep("talk", D(2022, 10, 20), {"talked_by": "支部书记"})  # 5 days late
    history = [*steps, RecordedStep("conversion_approval", D(2025, 8, 20), {})]
    derived = derive(history, PERSON, rules_on, CAL)
    assert [(f["rule_id"], f["rule_version"], f["days_late"]) for f in derived.findings] == [
        ("talk.within_1m", "2014.1", 5),  # 2022: the 2014 table
        ("conversion_approval.within_3m", "test.1", 46),  # on or after EFFECTIVE: the revision
    ]
    tables = [rules_on(step.on).base.version for step in history]
    assert tables == ["2014"] * (len(history) - 1) + ["test"]


def test_a_refusal_cites_the_version_in_force() -> None:
    # A made-up change: an extension of exactly 6 months.
    changed = Precondition(
        "extension.months",
        "test.2",
        "测试修订第三十二条",
        ("probation_extension",),
        IntRange("months", 6, 6),
    )
    tables = NationalTables(
        (NATIONAL_TABLES.versions[0], NationalVersion(revised(changed), EFFECTIVE, "this test"))
    )
    history = walked("conversion_application")
    cited = []
    for day in (EFFECTIVE - timedelta(days=1), EFFECTIVE):
        rules = resolve_rules(SHANXI, "school-a", national=tables, as_of=day)
        result = evaluate(
            "probation_extension", day, {"months": 13, "reason": "x"}, history, PERSON, rules, CAL
        )
        cited += [(v.rule_id, v.version, v.article) for v in result.violations]
    assert cited == [
        ("extension.months", "2014.1", "细则第三十二条"),
        ("extension.months", "test.2", "测试修订第三十二条"),
    ]


def test_an_overlay_replacing_a_rule_the_new_table_lacks_is_reported_and_kept() -> None:
    dropped = TimeLimit(
        "local.talk",
        "1",
        "测试",
        "talk",
        "application",
        (Tier(Period(months=2), Severity.WARNING),),
    )
    without_talk = RuleTable(
        "test",
        "测试修订",
        NATIONAL_2014.probation,
        tuple(r for r in NATIONAL_2014.rules if r.id != "talk.within_1m") + (dropped,),
    )
    tables = NationalTables(
        (NATIONAL_TABLES.versions[0], NationalVersion(without_talk, EFFECTIVE, "this test"))
    )
    local = dataclasses.replace(
        next(r for r in NATIONAL_2014.rules if r.id == "talk.within_1m"), version="local.1"
    )
    overlay = Overlay("local", "本地", "本地〔2024〕1号", SHANXI, rules=(local,))

    def resolved(day: date) -> RuleSet:
        return resolve_rules(SHANXI, None, overlays=(overlay,), national=tables, as_of=day)

    assert resolved(EFFECTIVE - timedelta(days=1)).unmatched == ()  # it replaces the 2014 rule
    after = resolved(EFFECTIVE)
    assert after.unmatched == (("local", "talk.within_1m"),)
    assert local in after.time_limits("talk")  # still applied: a local document stays in force


def test_the_registry_refuses_a_disordered_or_unversioned_revision() -> None:
    first = NATIONAL_TABLES.versions[0]
    with pytest.raises(ValueError, match="from the beginning"):
        NationalTables((NationalVersion(NATIONAL_2014, EFFECTIVE, "x"),))
    with pytest.raises(ValueError, match="keeps version"):
        same_version = dataclasses.replace(NEW_LIMIT, version=OLD_LIMIT.version)
        NationalTables((first, NationalVersion(revised(same_version), EFFECTIVE, "x")))
    with pytest.raises(ValueError, match="names no copy"):
        NationalTables((first, NationalVersion(revised(NEW_LIMIT), EFFECTIVE, "")))
    later = NationalVersion(revised(NEW_LIMIT), EFFECTIVE, "x")
    earlier = NationalVersion(revised(NEW_LIMIT, version="test2"), EFFECTIVE, "x")
    with pytest.raises(ValueError, match="after its predecessor"):
        NationalTables((first, later, earlier))
