"""Issuing, closing, finding and listing data calls.

Access: a call is reached by whoever reaches its issuer (the issuer's subtree holders and
those above) or one of the units it was sent to; anyone else, another school's administrator
included, is told NOT_FOUND. Reading needs ``plan.read`` there; issuing and closing
``datacall.issue`` at the issuer.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

import sqlalchemy as sa

from partyplan.auth.errors import NotFound
from partyplan.auth.permissions import Permission
from partyplan.resolvers.audit import repository as audit
from partyplan.resolvers.paging import Keyset, Page
from partyplan.resolvers.units.service import visible as visible_unit
from partyplan.tenants.session import Session

from .. import repository, rules
from ..errors import DataCallError, DataCallErrorCode

#: The most units one call may be sent to (a province's schools, a school's branches).
MAX_TARGETS = 2000
ISSUER_KINDS = ("commission", "school")


def today_in(timezone: str) -> date:
    """'Today' for due dates: the calendar date in the platform's time zone (Asia/Shanghai)."""
    return datetime.now(ZoneInfo(timezone)).date()


@dataclass(frozen=True)
class Reached:
    """A call the caller reaches, and the paths by which it does (the issuer's, or the paths of
    the units it was sent to that the caller sees)."""

    row: sa.Row
    paths: tuple[str, ...]

    def holds(self, session: Session, permission: Permission) -> bool:
        return any(session.principal.can(permission, p) for p in self.paths)


async def reach(session: Session, call_id: int, permission: Permission | None) -> Reached:
    """The call if the caller reaches it (else NOT_FOUND), then FORBIDDEN unless it holds
    ``permission`` at the issuer or at a unit the call was sent to."""
    row = await repository.get(session, call_id)
    if row is None:
        raise NotFound("未找到该数据征集")
    principal = session.principal
    paths = [row.unit_path] if principal.reaches(row.unit_path) else []
    paths += [p for p in await repository.addressed_paths(session, call_id) if principal.reaches(p)]
    if not paths:
        raise NotFound("未找到该数据征集")
    found = Reached(row, tuple(paths))
    if permission is not None and not found.holds(session, permission):
        session.require(permission, paths[0])
    return found


def snapshot(row: Any) -> dict[str, Any]:
    return {
        "title": row.title,
        "dueOn": row.due_on.isoformat(),
        "form": row.form,
        "remindWorkingDays": row.remind_working_days,
        "closed": row.closed_at is not None,
    }


def _count(unit_ids: Sequence[int]) -> None:
    if not 1 <= len(unit_ids) <= MAX_TARGETS:
        raise DataCallError(
            DataCallErrorCode.INVALID_TARGET,
            f"应指定 1 至 {MAX_TARGETS} 个填报单位",
            "unitIds",
        )


def _targets(unit_ids: Sequence[int], found: Sequence[sa.Row], issuer: sa.Row) -> list[sa.Row]:
    by_id = {row.id: row for row in found}
    seen: set[int] = set()
    targets = []
    for index, unit_id in enumerate(unit_ids):
        row = by_id.get(unit_id)
        if unit_id in seen:
            raise DataCallError(
                DataCallErrorCode.INVALID_TARGET, "填报单位重复", f"unitIds.{index}"
            )
        seen.add(unit_id)
        if row is None:
            raise DataCallError(
                DataCallErrorCode.INVALID_TARGET,
                f"填报单位应为{issuer.name}的下级党组织",
                f"unitIds.{index}",
            )
        if not row.active:
            raise DataCallError(
                DataCallErrorCode.INVALID_TARGET, f"{row.name}已停用", f"unitIds.{index}"
            )
        targets.append(row)
    return targets


async def issue(
    session: Session,
    *,
    issuer_id: int,
    title: str,
    due_on: date,
    fields: Sequence[Mapping[str, Any]],
    unit_ids: Sequence[int],
    remind_working_days: int | None,
    today: date,
) -> sa.Row:
    """A new call from a commission or a school to units below it, in its tenant, issued on
    ``today`` (the platform's date, ``today_in``; the demo's calls are dated back)."""
    issuer = await visible_unit(session, issuer_id, Permission.DATACALL_ISSUE, "issuerId")
    if issuer.kind not in ISSUER_KINDS:
        raise DataCallError(
            DataCallErrorCode.NOT_AN_ISSUER,
            "数据征集只能由省委教育工委或学校党委发起",
            "issuerId",
        )
    checked_title = rules.check_title(title)
    form = rules.check_form(fields)
    rules.check_due(due_on, today)
    if remind_working_days is not None and not 0 <= remind_working_days <= 60:
        raise DataCallError(
            DataCallErrorCode.INVALID_DUE_DATE,
            "提前提醒的工作日数应为 0 至 60",
            "remindWorkingDays",
        )
    _count(unit_ids)
    below = await repository.units_below(session, list(dict.fromkeys(unit_ids)), issuer.path)
    targets = _targets(unit_ids, below, issuer)
    call_id = await repository.insert_call(
        session,
        unit_id=issuer.id,
        unit_path=issuer.path,
        school_id=issuer.school_id,
        issuer_name=issuer.name,
        title=checked_title,
        due_on=due_on,
        form=form,
        remind_working_days=remind_working_days,
        created_by=session.principal.user_id,
    )
    await repository.insert_targets(session, call_id, targets)
    row = await repository.get(session, call_id)
    await audit.append(
        session,
        operation="issueDataCall",
        object_type="DataCall",
        object_id=call_id,
        unit_id=issuer.id,
        school_id=issuer.school_id,
        before=None,
        after={**snapshot(row), "unitIds": [t.id for t in targets]},
    )
    return row  # type: ignore[return-value]


async def close(session: Session, *, call_id: int) -> sa.Row:
    """The issuer closes the call: no answer is taken from then on."""
    found = await reach(session, call_id, None)
    session.require(Permission.DATACALL_ISSUE, found.row.unit_path)
    locked = await repository.get(session, call_id, lock=True)
    if locked.closed_at is not None:  # type: ignore[union-attr]
        raise DataCallError(DataCallErrorCode.CALL_CLOSED, "该数据征集已关闭", "dataCallId")
    await repository.close(session, call_id)
    row = await repository.get(session, call_id)
    await audit.append(
        session,
        operation="closeDataCall",
        object_type="DataCall",
        object_id=call_id,
        unit_id=row.unit_id,  # type: ignore[union-attr]
        school_id=row.school_id,  # type: ignore[union-attr]
        before=snapshot(locked),
        after=snapshot(row),
    )
    return row  # type: ignore[return-value]


async def page(session: Session, *, keyset: Keyset) -> Page:
    """Calls issued at or below the caller's units, or sent to a unit there; newest first."""
    read_paths = session.principal.paths_with(Permission.PLAN_READ)
    if not read_paths:
        session.require(Permission.PLAN_READ, "")
    return await repository.page(session, read_paths=read_paths, keyset=keyset)


__all__ = ["MAX_TARGETS", "Reached", "close", "issue", "page", "reach", "snapshot", "today_in"]
