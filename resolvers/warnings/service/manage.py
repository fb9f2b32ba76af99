"""Warnings for the API: listing a subtree's warnings, acknowledging one, and the commission's
rule parameters. Raising and resolving is the scan's (scan.py)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from partyplan.auth.errors import NotFound
from partyplan.auth.permissions import Permission
from partyplan.auth.principal import is_within
from partyplan.resolvers.audit import repository as audit
from partyplan.resolvers.paging import Keyset, Page
from partyplan.resolvers.text import clean_text
from partyplan.resolvers.units.service import listing_scope
from partyplan.resolvers.units.service import visible as visible_unit
from partyplan.tenants.session import Session

from ..errors import WarningError, WarningErrorCode
from ..repository import stored
from ..rules.kinds import WarningKind, check_params


async def page(
    session: Session,
    *,
    under_id: int | None,
    kind: str | None,
    status: str | None,
    keyset: Keyset,
) -> Page:
    """Warnings on the caller's units and below (a warning is seen up the tree)."""
    read_paths, under = await listing_scope(session, under_id, Permission.PLAN_READ)
    return await stored.page(
        session,
        read_paths=read_paths,
        under=under,
        kind=kind,
        status=status,
        keyset=keyset,
    )


async def page_filter(
    session: Session, *, under_id: int | None, kind: str | None, status: str | None
) -> stored.WarningList:
    """What :func:`page` lists, after the same checks (NOT_FOUND, FORBIDDEN), as the list's
    shape and values, for a page built as JSON by PostgreSQL (``page_json``; schema/compiled)."""
    read_paths, under = await listing_scope(session, under_id, Permission.PLAN_READ)
    return stored.shaped(read_paths=read_paths, under=under, kind=kind, status=status)


page_json = stored.page_json


async def open_counts(
    session: Session, lines: Sequence[tuple[str, int]]
) -> list[dict[WarningKind, int]]:
    """For each (unit path, period) of ``lines``, in order: the open warnings on the unit and
    everything below it that the caller may read (``plan.read``, as the list), of that period
    or of none (a recruit's warnings belong to no period), by kind in the kinds' order; kinds
    without any left out. Warnings where the caller does not read plans count nowhere."""
    read_paths = session.principal.paths_with(Permission.PLAN_READ)
    counts = await stored.open_counts(session, lines, read_paths=read_paths)
    return [
        {kind: found[kind.value] for kind in WarningKind if kind.value in found} for found in counts
    ]


async def visible(
    session: Session, warning_id: int, permission: Permission, *, lock: bool = False
) -> sa.Row:
    row = await stored.get(session, warning_id, lock=lock)
    return session.reach(row, "该预警", permission)


# A warning's status as a refusal names it (only a warning not open is refused).
_STATUS_LABELS = {"acknowledged": "已知悉", "resolved": "已消除"}


async def acknowledge(session: Session, *, warning_id: int, note: str | None) -> sa.Row:
    """open → acknowledged, with an optional note; the scan resolves it when it clears."""
    row = await visible(session, warning_id, Permission.WARNING_ACK, lock=True)
    if row.status != "open":
        code = (
            WarningErrorCode.ALREADY_RESOLVED
            if row.status == "resolved"
            else WarningErrorCode.ALREADY_ACKNOWLEDGED
        )
        raise WarningError(code, f"该预警{_STATUS_LABELS[row.status]}", "warningId")
    note = clean_text(
        note,
        "note",
        required=False,
        limit=500,
        error=WarningError,
        code=WarningErrorCode.INVALID_TEXT,
        label="备注",
    )
    await stored.acknowledge(session, row.id, note)
    await audit.append(
        session,
        operation="acknowledgeWarning",
        object_type="Warning",
        object_id=row.id,
        unit_id=row.unit_id,
        school_id=row.school_id,
        before={"status": row.status},
        after={"status": "acknowledged", "note": note},
    )
    return await visible(session, warning_id, Permission.PLAN_READ)


@dataclass(frozen=True)
class RuleView:
    kind: WarningKind
    enabled: bool
    params: dict[str, Any]
    defaults: dict[str, Any]
    updated_at: Any


def _in_commission(session: Session, commission_id: int) -> None:
    """NOT_FOUND unless the caller's units lie in (or above) the commission's tree; FORBIDDEN
    unless it reads plans there. Commission-level data is seen down the tree."""
    root = str(commission_id)

    def touches(path: str) -> bool:
        return is_within(path, root) or is_within(root, path)

    reached = session.principal.reaches_along(root)
    if not reached:
        raise NotFound("未找到该省委教育工委")
    if not any(touches(p) for p in session.principal.paths_with(Permission.PLAN_READ)):
        session.require(Permission.PLAN_READ, reached[0])


async def rules(session: Session, commission_id: int) -> list[RuleView]:
    _in_commission(session, commission_id)
    settings = await stored.rules(session, commission_id)
    views = []
    for kind in WarningKind:
        row = settings.get(kind.value)
        views.append(
            RuleView(
                kind=kind,
                enabled=row.enabled if row else True,
                params=check_params(kind, row.params if row else {}),
                defaults=check_params(kind, {}),
                updated_at=row.updated_at if row else None,
            )
        )
    return views


async def set_rule(
    session: Session,
    *,
    commission_id: int,
    kind: WarningKind,
    enabled: bool,
    params: dict[str, Any] | None,
) -> RuleView:
    """Replace the commission's parameters of one kind (given keys override the defaults)."""
    commission = await visible_unit(session, commission_id, Permission.RULE_MANAGE, "commissionId")
    if commission.kind != "commission":
        raise WarningError(
            WarningErrorCode.NOT_A_COMMISSION,
            "预警规则只能由省委教育工委设定",
            "commissionId",
        )
    given = params or {}
    if not isinstance(given, dict):
        raise WarningError(WarningErrorCode.INVALID_RULE, "参数应为 JSON 对象", "params")
    checked = check_params(kind, given)
    stored_params = {k: checked[k] for k in given}
    before = (await stored.rules(session, commission.id)).get(kind.value)
    row = await stored.upsert_rule(
        session, commission=commission, kind=kind.value, enabled=enabled, params=stored_params
    )
    await audit.append(
        session,
        operation="setWarningRule",
        object_type="Unit",
        object_id=commission.id,
        unit_id=commission.id,
        school_id=None,
        before=None
        if before is None
        else {"kind": kind.value, "enabled": before.enabled, "params": before.params},
        after={"kind": kind.value, "enabled": enabled, "params": stored_params},
    )
    return RuleView(kind, row.enabled, checked, check_params(kind, {}), row.updated_at)


__all__ = ["RuleView", "acknowledge", "open_counts", "page", "rules", "set_rule", "visible"]
