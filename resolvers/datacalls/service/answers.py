"""A unit's answer to a data call: given once, revised while the call is open (before its due
date, Beijing time); past due, a unit that never answered may still answer late, and a closed
call takes nothing (``rules.check_answerable``). Each answer and revision is audited with the
answers before and after, so every version stays on the record."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from partyplan.auth.permissions import Permission
from partyplan.resolvers.audit import repository as audit
from partyplan.resolvers.units.service import visible as visible_unit
from partyplan.tenants.session import Session

from .. import repository, rules
from ..errors import DataCallError, DataCallErrorCode
from .calls import reach, today_in


async def answer(
    session: Session, *, call_id: int, unit_id: int, answers: Any, timezone: str
) -> sa.Row:
    """Answer (or revise the answer of) ``unit_id``, which must be one the call was sent to;
    ``datacall.answer`` at that unit."""
    found = await reach(session, call_id, None)
    unit = await visible_unit(session, unit_id, Permission.DATACALL_ANSWER, "unitId")
    current = await repository.response(session, call_id, unit.id, lock=True)
    if current is None:
        raise DataCallError(
            DataCallErrorCode.NOT_ADDRESSED, f"该数据征集未要求{unit.name}填报", "unitId"
        )
    call = found.row
    state = rules.standing(call.due_on, call.closed_at is not None, today_in(timezone))
    first = current.answered_at is None
    rules.check_answerable(state, not first, call.due_on)
    checked = rules.check_answers(call.form, answers)
    await repository.save_answers(session, call_id, unit.id, checked, first=first)
    await audit.append(
        session,
        operation="answerDataCall",
        object_type="DataCall",
        object_id=call_id,
        unit_id=unit.id,
        school_id=unit.school_id,
        before=None if first else {"unitId": unit.id, "answers": current.answers},
        after={"unitId": unit.id, "answers": checked, "late": state is rules.Standing.PAST_DUE},
    )
    return await repository.response(session, call_id, unit.id)  # type: ignore[return-value]


__all__ = ["answer"]
