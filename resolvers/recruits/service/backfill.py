"""Re-deriving stored recruits outside any request: ``partyplan recruits rederive``, and the
step of ``partyplan db upgrade`` that fills what a migration added.

Migration 0022 added the admission columns (``admission_earliest_on``, ``_possible_until``,
``_steps_left``) that feasible admissions read. A recruit recorded before it has them NULL
until its next derivation, and would be missing from ``feasibleAdmissions`` (and make
``infeasible_quota`` fire falsely). A SQL migration cannot derive them: the derivation is the
rule engine's. So ``db upgrade`` re-derives, after migrating, the recruits whose columns were
never derived (none on a fresh installation: the query finds nothing and costs one scan).
Re-deriving is idempotent: an unchanged recruit is not written."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncConnection

from partyplan.resolvers.units import repository as units
from partyplan.tenants.session import Session

from .region import rederive_under


@dataclass(frozen=True, slots=True)
class Rederived:
    commission_code: str
    rewritten: int


class UnknownCommission(LookupError):
    """No commission has the code given."""


async def rederive_commissions(
    conn: AsyncConnection, *, commission_code: str | None = None, missing_only: bool = False
) -> list[Rederived]:
    """Re-derive the recruits of every commission (or the one with ``commission_code``) in the
    owner's transaction ``conn``; how many each had rewritten."""
    session = Session.maintenance(conn)
    commissions = await units.commissions(session, commission_code)
    if commission_code is not None and not commissions:
        raise UnknownCommission(commission_code)
    return [
        Rederived(c.code or str(c.id), await rederive_under(session, c, missing_only=missing_only))
        for c in commissions
    ]
