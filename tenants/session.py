"""A request's database session: one connection, one transaction, bound to one principal.

graphql-core resolves sibling fields concurrently, but a connection runs one statement at a
time; every statement therefore goes through :meth:`Session.execute`, which serializes them.
A session never commits: whoever opened its transaction does (a request's context,
``server/request.py``; a CLI command).
"""

from __future__ import annotations

import asyncio
from typing import Any, TypeVar

from sqlalchemy.engine import CursorResult
from sqlalchemy.ext.asyncio import AsyncConnection

from partyplan.auth.errors import Forbidden, NotFound
from partyplan.auth.permissions import Permission
from partyplan.auth.principal import Principal

from .binding import bind_principal

R = TypeVar("R")


class Session:
    def __init__(self, conn: AsyncConnection, principal: Principal) -> None:
        self.conn = conn
        self.principal = principal
        self._lock = asyncio.Lock()

    @classmethod
    def maintenance(cls, conn: AsyncConnection) -> Session:
        """A session on the owner's maintenance transaction (a CLI command over every school):
        the owner's policy admits every row, and the principal is nobody, with no scope and no
        permission, so any check of a caller (:meth:`reach`, :meth:`require`) refuses. Only
        code that checks no caller runs on it (re-deriving recruits, say)."""
        return cls(conn, Principal(user_id=0, username="", display_name="维护任务", home_unit_id=0))

    @classmethod
    async def bound(
        cls,
        conn: AsyncConnection,
        user_id: int,
        client_id: str | None = None,
        *,
        grant_id: int | None = None,
        token_id: str | None = None,
        scope: str | None = None,
        generic_plans: bool = False,
    ) -> Session:
        """A session on ``conn``'s transaction, bound to the user's scope: row-level security
        reads it until the transaction ends (UNAUTHENTICATED for an unknown or inactive user,
        and for a client's token whose client, grant or id no longer stands)."""
        principal = await bind_principal(
            conn,
            user_id,
            client_id,
            grant_id=grant_id,
            token_id=token_id,
            scope=scope,
            generic_plans=generic_plans,
        )
        return cls(conn, principal)

    async def execute(self, statement: Any, params: Any = None) -> CursorResult[Any]:
        async with self._lock:
            return await self.conn.execute(statement, params)

    async def scalar(self, statement: Any, params: Any = None) -> Any:
        return (await self.execute(statement, params)).scalar()

    def reach(
        self, row: R | None, what: str, permission: Permission | None, path: str = "unit_path"
    ) -> R:
        """The one test of "may this caller reach this object", which every lookup by id uses.

        ``row`` is the object read by id (None when there is none); ``what`` names it in the
        message, as a person calls it (发展对象, 党组织（unitId）); ``path`` names its attribute
        holding its unit's path.
        Missing, or outside every subtree where the caller holds any role: NOT_FOUND, never
        FORBIDDEN, so that an id tells nothing of another school. Inside but without
        ``permission`` at ``path``: FORBIDDEN. Row-level security filters the same scope below
        this; the test here is what makes the answer NOT_FOUND rather than an empty result.
        """
        at = None if row is None else getattr(row, path)
        if at is None or not self.principal.reaches(at):
            raise NotFound(f"未找到{what}")
        if permission is not None:
            self.require(permission, at)
        return row

    def require(self, permission: Permission, at_path: str) -> None:
        """Raise FORBIDDEN unless the caller holds ``permission`` at ``at_path``.

        Call only for objects already known to be in scope (else it must be NOT_FOUND).
        """
        if not self.principal.can(permission, at_path):
            raise Forbidden(f"您在此处的角色没有“{permission.value}”权限")
