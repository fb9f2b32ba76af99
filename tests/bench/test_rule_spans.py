"""The generator's cached rule sets change where a national version takes effect, as the
service's ``resolve_rules(..., as_of=on)`` does."""

from __future__ import annotations

from datetime import date, timedelta

from partyplan.bench.generate.derivation import RuleSets
from partyplan.resolvers.recruits.rules.national import (
    NATIONAL_TABLES,
    NationalTables,
    NationalVersion,
)
from partyplan.resolvers.recruits.rules.overlays import SHANXI, resolve_rules
from partyplan.resolvers.recruits.rules.table import NATIONAL_2014, RuleTable

EFFECTIVE = date(2025, 8, 1)  # made up, as the table below (the 2014 rules, renamed)
TABLES = NationalTables(
    (
        NATIONAL_TABLES.versions[0],
        NationalVersion(
            RuleTable("test", "测试", NATIONAL_2014.probation, NATIONAL_2014.rules),
            EFFECTIVE,
            source="built by this test",
        ),
    )
)


def test_cached_rule_sets_follow_the_national_version_in_force() -> None:
    cached = RuleSets(SHANXI, "school-a", national=TABLES)
    days = (EFFECTIVE - timedelta(days=1), EFFECTIVE, EFFECTIVE + timedelta(days=400))
    assert [cached.on(day).version for day in days] == [
        resolve_rules(SHANXI, "school-a", national=TABLES, as_of=day).version for day in days
    ]
    assert [cached.on(day).base.version for day in days] == ["2014", "test", "test"]
