"""One request, one transaction (``schema/all_or_nothing.py``): a mutation answered with typed
errors marks its request refused, so the request's owner rolls the whole document back, its
other mutations included. Each mutation field of a document of several also runs in a
savepoint, rolled back whole when it fails: a failed statement leaves the transaction unusable
until then, and the document's later fields still run (to report their own errors) before the
request ends. A document's only field needs none."""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from typing import TypeVar

import strawberry
from graphql import FieldNode
from sqlalchemy.ext.asyncio import AsyncTransaction
from strawberry import relay

from partyplan.auth.errors import NotFound
from partyplan.resolvers.errors import DomainError, ValidationErrors
from partyplan.tenants.session import Session

from .all_or_nothing import refuse

T = TypeVar("T")


async def run_mutation(
    info: strawberry.Info, operation: Callable[[Session], Awaitable[T]]
) -> tuple[T | None, list[DomainError]]:
    session = await info.context.session()
    # A document's only field needs no savepoint (two round trips fewer, one of them while the
    # write's locks are held): whatever ends it, the request is marked failed (typed errors
    # here, any other error by ``AllOrNothing``) and rolls back whole, and nothing runs in its
    # transaction after it: a refused payload reads nothing, and PII it disclosed is audited
    # in a transaction of its own (``server/request.py``).
    savepoint = None if _alone(info) else await session.conn.begin_nested()
    try:
        result = await operation(session)
    except DomainError as failure:  # ValidationErrors too: several at once
        await _roll_back(savepoint)
        refuse(info)
        return None, failure.errors if isinstance(failure, ValidationErrors) else [failure]
    except BaseException:
        await _roll_back(savepoint)
        raise
    if savepoint is not None:
        await savepoint.commit()
    return result, []


async def _roll_back(savepoint: AsyncTransaction | None) -> None:
    if savepoint is not None:
        await savepoint.rollback()


def _alone(info: strawberry.Info) -> bool:
    """The field is the document's one root field: no other field runs after it."""
    selections = info.operation.selection_set.selections
    return len(selections) == 1 and isinstance(selections[0], FieldNode)


_ROW_ID = re.compile(r"[0-9]{1,18}")


def row_id_of(global_id: relay.GlobalID) -> int | None:
    """The row id a global ID carries: at most 18 ASCII digits (within bigint), else None.
    ``int()`` alone would take ``" 12"``, ``"1_2"`` or a number past bigint, which the database
    refuses with an error of its own."""
    node_id = global_id.node_id
    return int(node_id) if _ROW_ID.fullmatch(node_id) else None


def decode_id(global_id: relay.GlobalID, expected_type: str, field: str) -> int:
    """The row id of a global ID of ``expected_type``; any other ID is NOT_FOUND."""
    row_id = row_id_of(global_id)
    if global_id.type_name != expected_type or row_id is None:
        raise NotFound(f"未找到该对象（{field} 应为 {expected_type} 的 ID）")
    return row_id
