"""The ledger's operations: who may export which committee's ledger (``prepare``), its rows
(``rows``) and the audit of an unmasked one (``audit_unmasked``).

Access, as the 12371 export's: the committee is found through the caller's scope (outside it:
NOT_FOUND; a unit that keeps no ledger, a branch: NOT_A_COMMITTEE), ``recruit.read`` is needed
there (else FORBIDDEN), and ID numbers are in clear only with ``pii.read`` there. An unmasked
ledger writes one ``readPii`` entry on the committee, in the request's transaction.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from partyplan.auth.permissions import Permission
from partyplan.resolvers.audit import repository as audit
from partyplan.resolvers.audit.service import READ_PII
from partyplan.resolvers.recruits.pii import PiiCipher
from partyplan.resolvers.recruits.service.records import ID_CONTEXT
from partyplan.resolvers.units.service import visible as visible_unit
from partyplan.tenants.session import Session

from . import repository, rules


def ledger_path(unit_id: int) -> str:
    """The path of a committee's ledger (``GET``, ``server/exports_datacalls.py``)."""
    return f"/ledgers/{unit_id}.xlsx"


@dataclass(frozen=True)
class Ledger:
    unit_id: int
    unit_name: str
    unit_path: str
    school_id: int | None
    unmasked: bool


async def prepare(session: Session, *, unit_id: int) -> Ledger:
    unit = await visible_unit(session, unit_id, Permission.UNIT_READ, "unitId")
    rules.check_committee(unit)
    session.require(Permission.RECRUIT_READ, unit.path)
    return Ledger(
        unit_id=unit.id,
        unit_name=unit.name,
        unit_path=unit.path,
        school_id=unit.school_id,
        unmasked=session.principal.can(Permission.PII_READ, unit.path),
    )


def _id_number(recruit: Any, unmasked: bool, cipher: PiiCipher | None) -> str:
    if not unmasked:
        return recruit.id_number_masked
    if cipher is None:
        raise RuntimeError("the server holds no PII key")
    return cipher.decrypt(recruit.id_number_enc, context=ID_CONTEXT)


async def rows(session: Session, ledger: Ledger, cipher: PiiCipher | None) -> list[list[Any]]:
    """Every row of the ledger, read in three statements (recruits, steps, names)."""
    recruits = await repository.activists(session, ledger.unit_path, rules.STAGES)
    steps: dict[int, dict[str, list[tuple[date, Any]]]] = {}
    for step in await repository.current_steps(session, [r.id for r in recruits], rules.STEP_CODES):
        steps.setdefault(step.recruit_id, {}).setdefault(step.step_code, []).append(
            (step.on_date, step.data)
        )
    wanted = sorted({code for s in steps.values() for code in rules.contact_codes(s)})
    schools = sorted({r.school_id for r in recruits})
    names: dict[int, dict[str, str]] = {}
    for (school, code), name in (await repository.member_names(session, schools, wanted)).items():
        names.setdefault(school, {})[code] = name
    return [
        rules.cells(
            index,
            recruit,
            steps.get(recruit.id, {}),
            names.get(recruit.school_id, {}),
            _id_number(recruit, ledger.unmasked, cipher),
        )
        for index, recruit in enumerate(recruits, start=1)
    ]


async def audit_unmasked(session: Session, ledger: Ledger, count: int) -> None:
    """One ``readPii`` entry for a ledger that showed ID numbers in clear."""
    if not ledger.unmasked:
        return
    await audit.append(
        session,
        operation=READ_PII,
        object_type="Unit",
        object_id=ledger.unit_id,
        unit_id=ledger.unit_id,
        school_id=ledger.school_id,
        before=None,
        after={"export": "activistLedger", "fields": ["idNumber"], "recruits": count},
    )


__all__ = ["Ledger", "audit_unmasked", "ledger_path", "prepare", "rows"]
