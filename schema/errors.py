"""How failures reach clients.

- Access failures (UNAUTHENTICATED, FORBIDDEN, NOT_FOUND) become GraphQL errors with
  ``extensions.code``.
- Unexpected exceptions are logged and masked: strawberry would otherwise send the exception's
  message (SQL text included) to the client. They also mark the request failed, so its
  transaction rolls back.
- Every other error gets a code too (:func:`with_code`, applied by the server's view to every
  response, since a document that does not parse never reaches this extension), so a client
  can tell what to fix from ``extensions.code`` alone: ``GRAPHQL_PARSE_FAILED`` (the document does not parse),
  ``GRAPHQL_VALIDATION_FAILED`` (it asks for what the schema does not have),
  ``BAD_USER_INPUT`` (a variable or argument of the wrong shape or value, e.g. an ID that is not
  a global ID of ours).
- What a caller may send is refused with codes of its own, each before anything runs:
  ``QUERY_TOO_COSTLY`` (a GraphQL error with ``extensions.cost`` and ``extensions.budget``,
  ``schema/cost.py``); ``PERSISTED_DOCUMENT_NOT_FOUND``, ``TRUSTED_DOCUMENTS_ONLY`` and
  ``BAD_REQUEST`` (HTTP 400, ``schema/policies/admission.py``); ``RATE_LIMITED`` (HTTP 429,
  ``server/limits.py``).
- Business-rule failures never get here: mutations return them as typed payload errors.
- Messages of our own (access failures, the masked error) are in Chinese, for people;
  ``extensions.code`` is the contract. graphql-core's parse and validation messages stay as
  the library words them.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator

from graphql import GraphQLError
from strawberry.extensions import SchemaExtension

from partyplan.auth.errors import AccessError

log = logging.getLogger("partyplan.graphql")
UNEXPECTED_MESSAGE = "服务器内部错误，请稍后重试"


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
            return error  # coded with the rest by the view (with_code), parse errors included
        context = self.execution_context.context
        if hasattr(context, "failed"):
            context.failed = True
        log.error("unexpected error at %s", error.path, exc_info=original)
        return GraphQLError(
            UNEXPECTED_MESSAGE,
            nodes=error.nodes,
            path=error.path,
            extensions={"code": "INTERNAL_SERVER_ERROR"},
        )


def with_code(error: GraphQLError) -> GraphQLError:
    """``error`` with an ``extensions.code``: its own, or one told from where it arose."""
    if (error.extensions or {}).get("code"):
        return error
    message = error.message
    if message.startswith("Syntax Error"):
        code = "GRAPHQL_PARSE_FAILED"
    elif message.startswith("Variable '$") or error.path is not None:
        # Coercing the variables, or an argument's value refused while resolving (a GlobalID
        # that does not decode): the client's input.
        code = "BAD_USER_INPUT"
    else:
        code = "GRAPHQL_VALIDATION_FAILED"
    return GraphQLError(
        message,
        nodes=error.nodes,
        source=error.source,
        positions=error.positions,
        path=error.path,
        original_error=error.original_error,
        extensions={**(error.extensions or {}), "code": code},
    )
