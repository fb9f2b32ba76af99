"""How failures reach clients.

- Access failures (UNAUTHENTICATED, FORBIDDEN, NOT_FOUND) become GraphQL errors with
  ``extensions.code``.
- Unexpected exceptions are logged and masked: strawberry would otherwise send the exception's
  message (SQL text included) to the client. They also mark the request failed, so its
  transaction rolls back.
- Business-rule failures never get here: mutations return them as typed payload errors.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator

from graphql import GraphQLError
from strawberry.extensions import SchemaExtension

from partyplan.auth.errors import AccessError

log = logging.getLogger("partyplan.graphql")


class BadInput(GraphQLError):
    """A query argument out of range (e.g. a page size above the limit)."""

    def __init__(self, message: str, field: str) -> None:
        super().__init__(message, extensions={"code": "BAD_USER_INPUT", "field": field})


class ShapeErrors(SchemaExtension):
    def on_operation(self) -> Iterator[None]:
        yield
        result = self.execution_context.result
        if result is None or not result.errors:
            return
        result.errors = [self._shape(error) for error in result.errors]

    def _shape(self, error: GraphQLError) -> GraphQLError:
        original = error.original_error
        if isinstance(original, AccessError):
            return GraphQLError(
                str(original),
                nodes=error.nodes,
                path=error.path,
                extensions={"code": original.code},
            )
        if original is None or isinstance(original, GraphQLError):
            return error
        context = self.execution_context.context
        if hasattr(context, "failed"):
            context.failed = True
        log.error("unexpected error at %s", error.path, exc_info=original)
        return GraphQLError(
            "Unexpected error.",
            nodes=error.nodes,
            path=error.path,
            extensions={"code": "INTERNAL_SERVER_ERROR"},
        )
