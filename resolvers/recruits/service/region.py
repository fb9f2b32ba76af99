"""The commission's region: which province's rule overlays apply to the recruits of its
schools (``procedure.load_procedure`` reads it from the recruit's branch, which holds a copy).

It is set on installation (``partyplan init --region-code``) or later by setCommissionRegion.
Changing it is allowed whether recruits are recorded or not, and takes effect whole in the same
transaction: every recruit of the commission is re-derived under the procedure now in force
(stage, next step and its due date, findings), and those whose derivation changed are
rewritten, so findings, tallies, warnings' inputs and the change feed agree at commit. Recorded
steps keep the rule version they were judged under: a refusal is judged when a step is
recorded, never afterwards, so a step the new province would have refused stays recorded.
Overlays the commission stored for another province stay stored and stop applying."""

from __future__ import annotations

from dataclasses import dataclass, replace
from itertools import groupby
from typing import Any

import sqlalchemy as sa

from partyplan.auth.permissions import Permission
from partyplan.resolvers.audit import repository as audit
from partyplan.resolvers.units import repository as units
from partyplan.resolvers.units.service import visible as visible_unit
from partyplan.tenants.session import Session

from .. import repository
from ..errors import RecruitError, RecruitErrorCode
from ..repository.recording import FINDING_COLUMNS as FINDING_KEYS
from ..rules import derivation
from ..rules.regions import region_problem
from ..rules.steps import RecordedStep, RecruitFacts
from . import documents
from .procedure import Procedure, load_procedure

#: Recruits re-derived per statement batch (each batch: one read of their steps and findings).
BATCH = 500


@dataclass(frozen=True, slots=True)
class RegionChange:
    commission: sa.Row
    rederived: int  # recruits whose stored derivation changed


async def set_commission_region(
    session: Session, *, commission_id: int, region_code: str
) -> RegionChange:
    commission = await visible_unit(session, commission_id, Permission.RULE_MANAGE, "commissionId")
    if commission.kind != "commission":
        raise RecruitError(
            RecruitErrorCode.NOT_A_COMMISSION,
            "地区代码由省委教育工委设置：请选择教育工委",
            "commissionId",
        )
    problem = region_problem(region_code)
    if problem is not None:
        raise RecruitError(RecruitErrorCode.INVALID_REGION_CODE, problem, "regionCode")
    if commission.region_code == region_code:
        return RegionChange(commission, 0)
    row = await units.set_region(session, commission, region_code)
    rederived = await rederive_under(session, row)
    await audit.append(
        session,
        operation="setCommissionRegion",
        object_type="Unit",
        object_id=row.id,
        unit_id=row.id,
        school_id=None,
        before={"region_code": commission.region_code},
        after={"region_code": region_code, "rederived_recruits": rederived},
    )
    return RegionChange(row, rederived)


async def rederive_under(
    session: Session, commission: sa.Row, *, missing_only: bool = False
) -> int:
    """Re-derive every recruit below ``commission`` under the procedure now in force; rewrite
    those whose derivation changed (only those: an unchanged recruit is not written, so it
    makes no change-feed entry). Returns how many were rewritten.

    ``missing_only``: only the recruits whose admission columns were never derived (recorded
    before migration 0022 added them; ``partyplan recruits rederive``, run by ``db upgrade``).
    The caller has reached ``commission``; its schools are read by id below it (row-level
    security scopes the read), so the owner's maintenance session can run this too."""
    procedures: dict[int, Procedure] = {}
    rewritten, after = 0, 0
    while batch := await repository.batch_under(
        session, commission.path, after_id=after, size=BATCH, missing_only=missing_only
    ):
        after = batch[-1].id
        ids = [r.id for r in batch]
        steps = _by_recruit(await repository.steps_of_many(session, ids))
        stored = _by_recruit(await repository.findings_of_many(session, ids))
        for recruit in batch:
            history = [
                RecordedStep(s.step_code, s.on_date, s.data) for s in steps.get(recruit.id, [])
            ]
            if not history:
                continue
            procedure = procedures.get(recruit.school_id)
            if procedure is None:
                school = await units.get(session, recruit.school_id)
                procedure = procedures[recruit.school_id] = await load_procedure(session, school)
            # The facts recording uses (a member transferred in keeps 细则第三十六条's
            # postponement): the same steps must derive the same way on either path.
            derived = derivation.derive(
                history, RecruitFacts.of(recruit), procedure.rules, procedure.calendar
            )
            # The documents the steps lack, as recording derives them (records.derive).
            lacking = await documents.missing(session, recruit, steps.get(recruit.id, []))
            if lacking:
                derived = replace(derived, findings=derived.findings + tuple(lacking))
            if _unchanged(recruit, stored.get(recruit.id, []), derived):
                continue
            await repository.replace_findings(session, recruit, list(derived.findings))
            await repository.update_derived(session, recruit.id, derived.columns())
            rewritten += 1
    return rewritten


def _by_recruit(rows: list[sa.Row]) -> dict[int, list[sa.Row]]:
    """Rows ordered by recruit (as the repository returns them), grouped by recruit."""
    return {key: list(group) for key, group in groupby(rows, key=lambda r: r.recruit_id)}


def _unchanged(recruit: sa.Row, findings: list[sa.Row], derived: derivation.Derived) -> bool:
    columns: dict[str, Any] = derived.columns()
    if any(getattr(recruit, name) != value for name, value in columns.items()):
        return False
    was = [tuple(getattr(f, k) for k in FINDING_KEYS) for f in findings]
    now = [tuple(f[k] for k in FINDING_KEYS) for f in derived.findings]
    return was == now
