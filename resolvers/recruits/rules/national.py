"""The national versions of the 细则 and the date each takes effect.

A step is judged by the national table in force on the step's date (``resolve_rules(...,
as_of=on)``): a recruit whose procedure spans a revision has its earlier steps judged by the
older table and its steps dated on or after the revision's effective date by the newer one. No
record is re-judged: each step keeps the rule version it was judged under.

Only the 2014 table is registered: a revised 细则 is reported to have been issued in May 2026, but
no copy of its text was available to cite, so none of its content is encoded. To add a version:

1. build a new :class:`~.table.RuleTable` in its own module, with a new table ``version`` and,
   for every rule whose text changed, a new rule version (``"2026.1"``), so that a finding or
   refusal says which reading it was made under (the registry refuses a changed rule that keeps
   its old version); rules the revision leaves alone keep theirs;
2. register it below with the date it takes effect (the date the text says, not the day it was
   encoded) and ``source``: the copy of the text it was encoded from, one a reviewer can open;
3. update the test that pins this registry (tests/recruits/test_national_versions.py).

Overlays name the rules they replace by id, so one written against an older table keeps
replacing the same rule in the next. An overlay rule whose id names a rule of another national
version that the table in force lacks (dropped or renamed by the revision) still applies — as an
added rule: a local document stays in force until its author revises it — and is reported in
:attr:`~.overlays.RuleSet.unmatched`, never silently dropped.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from .table import NATIONAL_2014, RuleTable

__all__ = ["NATIONAL_TABLES", "NationalTables", "NationalVersion"]


@dataclass(frozen=True, slots=True)
class NationalVersion:
    table: RuleTable
    effective_from: date | None  # None: the first version, in force from the beginning
    source: str  # the copy of the text the table was encoded from


@dataclass(frozen=True)
class NationalTables:
    """The national versions, oldest first: the first in force from the beginning, each later
    one from its ``effective_from`` (strictly ascending)."""

    versions: tuple[NationalVersion, ...]
    #: Every rule id of every version (derived).
    rule_ids: frozenset[str] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        if not self.versions or self.versions[0].effective_from is not None:
            raise ValueError("the first national version is in force from the beginning")
        names = [v.table.version for v in self.versions]
        if len(set(names)) != len(names):
            raise ValueError(f"duplicate national versions: {names}")
        for older, newer in zip(self.versions, self.versions[1:], strict=False):
            if newer.effective_from is None or (
                older.effective_from is not None and newer.effective_from <= older.effective_from
            ):
                raise ValueError(f"{newer.table.version} must take effect after its predecessor")
            if not newer.source:
                raise ValueError(f"{newer.table.version} names no copy of its text")
            _new_versions_for_changes(older.table, newer.table)
        ids = frozenset(r.id for v in self.versions for r in v.table.rules)
        object.__setattr__(self, "rule_ids", ids)

    def in_force(self, on: date | None) -> RuleTable:
        """The table in force on ``on``; the latest when no date is given (as overlays, whose
        effective dates are ignored without one)."""
        chosen = self.versions[0]
        for version in self.versions[1:]:
            assert version.effective_from is not None  # checked at construction
            if on is None or version.effective_from <= on:
                chosen = version
        return chosen.table

    @property
    def cuts(self) -> tuple[date, ...]:
        """The dates on which the table in force changes."""
        return tuple(v.effective_from for v in self.versions if v.effective_from is not None)


def _new_versions_for_changes(older: RuleTable, newer: RuleTable) -> None:
    before = {r.id: r for r in older.rules}
    for rule in newer.rules:
        kept = before.get(rule.id)
        if kept is not None and kept != rule and kept.version == rule.version:
            raise ValueError(
                f"rule {rule.id} changed in {newer.version} but keeps version {rule.version}"
            )


#: The production registry. Adding a version is a deliberate act: see the module docstring.
NATIONAL_TABLES = NationalTables(
    (
        NationalVersion(
            NATIONAL_2014,
            effective_from=None,
            source="中国共产党发展党员工作细则（2014）; checked citations: citations.CITATION_SOURCES",
        ),
    )
)
