"""Plans: periods, issuance, subdivision, reserve, forecasts, adjustments, next-year linkage.

Importing the domain registers its guards on the unit tree: a unit that holds quota in a
period still open can neither be deactivated nor moved (its quota came down the old branch).
"""

from partyplan.resolvers.units import repository as _units

from .repository.balances import holds_quota_in_open_period


async def _holds_quota(session, unit):  # type: ignore[no-untyped-def]
    if await holds_quota_in_open_period(session, unit.id):
        return f"{unit.name} still holds quota in an open plan period"
    return None


if _holds_quota not in _units.DEACTIVATION_GUARDS:
    _units.DEACTIVATION_GUARDS.append(_holds_quota)
    _units.MOVE_GUARDS.append(_holds_quota)
