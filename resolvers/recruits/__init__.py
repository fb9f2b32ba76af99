"""Recruits: people moving through the 25-step procedure, the rules that govern the steps,
PII protection, and the counting of admissions against plans.

Importing the domain registers it with the unit tree: moves rewrite the paths copied onto its
rows, and a unit with open recruits (not yet full members, not cancelled) cannot be deactivated.
"""

from partyplan.models import recruit_findings, recruit_steps, recruits, talent_filings
from partyplan.resolvers.units import repository as _units

from .repository import open_recruits_under


async def _has_open_recruits(session, unit):  # type: ignore[no-untyped-def]
    count = await open_recruits_under(session, unit.path)
    return f"{unit.name} still has {count} open recruit(s)" if count else None


for _copy in (
    (recruits, "unit_path"),
    (recruit_steps, "unit_path"),
    (recruit_findings, "unit_path"),
    (talent_filings, "unit_path"),
):
    if _copy not in _units.PATH_COPIES:
        _units.PATH_COPIES.append(_copy)
if _has_open_recruits not in _units.DEACTIVATION_GUARDS:
    _units.DEACTIVATION_GUARDS.append(_has_open_recruits)
