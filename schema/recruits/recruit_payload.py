"""The payload a recruit mutation answers with: the recruit as the caller may see it (PII by
permission), or null, and the errors that refused it."""

from __future__ import annotations

from typing import Any

import strawberry

from partyplan.resolvers.errors import DomainError
from partyplan.resolvers.recruits.service import records

from .payloads import RecruitError, RecruitPayload
from .queries import to_recruit


def recruit_payload(
    info: strawberry.Info, session: Any, row: Any, errors: list[DomainError]
) -> RecruitPayload:
    recruit = None if row is None else to_recruit(info, session, row)
    return RecruitPayload(
        recruit=recruit,
        errors=[RecruitError(code=e.code, field=e.field, message=e.message) for e in errors],
    )


async def reloaded_payload(
    info: strawberry.Info, row: Any, errors: list[DomainError]
) -> RecruitPayload:
    """The payload with the recruit read back as the caller may see it (PII by permission)."""
    session = await info.context.session()
    if row is not None:
        row = await records.visible(session, row.id, with_pii=True)
    return recruit_payload(info, session, row, errors)


__all__ = ["recruit_payload", "reloaded_payload"]
