"""A request's database session: one connection, one transaction, bound to one principal.

graphql-core resolves sibling fields concurrently, but a connection runs one statement at a
time; every statement therefore goes through :meth:`Session.execute`, which serializes them.
"""

from __future__ import annotations

import asyncio
from typing import Any

from sqlalchemy.engine import CursorResult
from sqlalchemy.ext.asyncio import AsyncConnection

from partyplan.auth.errors import Forbidden
from partyplan.auth.permissions import Permission
from partyplan.auth.principal import Principal


class Session:
    def __init__(self, conn: AsyncConnection, principal: Principal) -> None:
        self.conn = conn
        self.principal = principal
        self._lock = asyncio.Lock()

    async def execute(self, statement: Any, params: Any = None) -> CursorResult[Any]:
        async with self._lock:
            return await self.conn.execute(statement, params)

    async def scalar(self, statement: Any, params: Any = None) -> Any:
        return (await self.execute(statement, params)).scalar()

    def require(self, permission: Permission, at_path: str) -> None:
        """Raise FORBIDDEN unless the caller holds ``permission`` at ``at_path``.

        Call only for objects already known to be in scope (else it must be NOT_FOUND).
        """
        if not self.principal.can(permission, at_path):
            raise Forbidden(f"your roles do not grant {permission.value} here")
