"""How failures reach clients. Every code an error may carry is in :data:`ERROR_CODES`.

- Access failures (UNAUTHENTICATED, FORBIDDEN, NOT_FOUND) become GraphQL errors with
  ``extensions.code``.
- Unexpected exceptions are logged and masked: strawberry would otherwise send the exception's
  message (SQL text included) to the client. They also mark the request failed, so its
  transaction rolls back. Two are the caller's all the same, ``BAD_USER_INPUT``: a domain
  error raised by a query's resolver (naming its ``field``), and a value no text can hold
  that reached the database unchecked (logged, for the input to get its check).
- Every other error gets a code too (:func:`with_code`, applied by the server's view to every
  response, since a document that does not parse never reaches this extension), so a client
  can tell what to fix from ``extensions.code`` alone: ``GRAPHQL_PARSE_FAILED`` (the document
  does not parse), ``GRAPHQL_VALIDATION_FAILED`` (it asks for what the schema does not have),
  ``BAD_USER_INPUT`` (a variable or argument of the wrong shape or value, e.g. an ID that is not
  a global ID of ours). In production graphql-core's "Did you mean …?" is cut from them.
- What a caller may send is refused with codes of its own, each before anything runs:
  ``QUERY_TOO_COSTLY`` (a GraphQL error with ``extensions.cost`` and ``extensions.budget``,
  ``schema/cost.py``); ``PERSISTED_DOCUMENT_NOT_FOUND``, ``TRUSTED_DOCUMENTS_ONLY`` and
  ``BAD_REQUEST`` (HTTP 400, ``schema/policies/admission.py``; and :func:`request_refused`,
  a body that is no GraphQL request); ``RATE_LIMITED`` (HTTP 429, ``server/limits.py``).
- Business-rule failures never get here: mutations return them as typed payload errors.
- Messages of our own (access failures, the masked error) are in Chinese, for people;
  ``extensions.code`` is the contract. graphql-core's parse and validation messages stay as
  the library words them.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator

from graphql import GraphQLError
from sqlalchemy.exc import DBAPIError
from strawberry.extensions import SchemaExtension

from partyplan.auth.errors import AccessError
from partyplan.resolvers.errors import DomainError
from partyplan.resolvers.text import squeeze, unsafe

log = logging.getLogger("partyplan.graphql")
UNEXPECTED_MESSAGE = "服务器内部错误，请稍后重试"

#: Every ``extensions.code`` an error of the API may carry, GraphQL errors and the JSON answers
#: of ``/graphql`` and the download routes alike: the one list, which README's "Errors" gives
#: (``tests/security/test_error_codes.py`` holds the two together). Business-rule failures are
#: not here: they are typed payload errors, their codes the schema's enums.
ERROR_CODES: dict[str, str] = {
    "UNAUTHENTICATED": "no valid token (HTTP 401 on the download routes)",
    "FORBIDDEN": "the caller's roles do not allow it (403)",
    "NOT_FOUND": "no object the caller may see has this id (404)",
    "BAD_USER_INPUT": "an argument or variable of the wrong shape or value (`field` names it)",
    "BAD_REQUEST": "an HTTP request that is no GraphQL request: not JSON, not UTF-8 (400)",
    "GRAPHQL_PARSE_FAILED": "the document does not parse",
    "GRAPHQL_VALIDATION_FAILED": "the document asks for what the schema does not have",
    "QUERY_TOO_COSTLY": "the document costs more than the caller's budget",
    "PERSISTED_DOCUMENT_NOT_FOUND": "no trusted document with this id for this caller (400)",
    "TRUSTED_DOCUMENTS_ONLY": "free text from a client limited to trusted documents (400)",
    "RATE_LIMITED": "too many requests (429, with Retry-After)",
    "ROLLED_BACK": "written, then rolled back with the rest of its request",
    "CURSOR_EXPIRED": "a change-feed cursor older than the feed's retention",
    "SERVICE_UNAVAILABLE": "the database did not confirm the request; nothing is known to be "
    "written, send it again (503, with Retry-After)",
    "CHECKSUM_MISMATCH": "an attachment's stored bytes differ from their recorded SHA-256: "
    "not sent (500, the download routes)",
    "INTERNAL_SERVER_ERROR": "an unexpected error, details masked and logged",
}


class BadInput(GraphQLError):
    """A query argument out of range (e.g. a page size above the limit)."""

    def __init__(self, message: str, field: str) -> None:
        super().__init__(message, extensions={"code": "BAD_USER_INPUT", "field": field})


def text_argument(value: str | None, field: str, *, label: str, limit: int) -> str | None:
    """A free-text argument of a query (a ``search``), squeezed and held to the rule of every
    free-text input (``resolvers/text.py``): BAD_USER_INPUT naming ``field`` when too long or
    holding what no text may hold; None when blank."""
    cleaned = squeeze(value)
    if not cleaned:
        return None
    if len(cleaned) > limit:
        raise BadInput(f"{label}不能超过 {limit} 个字符", field)
    problem = unsafe(cleaned)
    if problem is not None:
        raise BadInput(f"{label}{problem}", field)
    return cleaned


UNCHECKED = "unchecked input reached the database"
UNSTORABLE_MESSAGE = "输入含有无法保存的字符（如 NUL 或不成对的代理字符）"


def unstorable(error: BaseException) -> bool:
    """Whether ``error`` is the database refusing a value no text can hold: a NUL (SQLSTATE
    22021, character not in repertoire) or a lone surrogate (no UTF-8 form: the driver's
    encoding fails under its DataError)."""
    if isinstance(error, DBAPIError) and getattr(error.orig, "sqlstate", None) == "22021":
        return True
    cause: BaseException | None = error
    while cause is not None:
        if isinstance(cause, UnicodeEncodeError):
            return True
        cause = cause.__cause__
    return False


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
        if isinstance(original, DomainError):
            # A business rule refusing a query's argument (a mutation returns its refusals as
            # payload errors): the caller's input, named, never a masked server error.
            return GraphQLError(
                original.message,
                nodes=error.nodes,
                path=error.path,
                extensions={"code": "BAD_USER_INPUT", "field": original.field},
            )
        context = self.execution_context.context
        if hasattr(context, "failed"):
            context.failed = True
        if unstorable(original):
            # A value no text can hold, in an input that no check of resolvers/text.py saw: the
            # caller's to fix all the same. Logged for the input to be routed through a check.
            log.warning("%s at %s: %s", UNCHECKED, error.path, original.__class__.__name__)
            return GraphQLError(
                UNSTORABLE_MESSAGE,
                nodes=error.nodes,
                path=error.path,
                extensions={"code": "BAD_USER_INPUT"},
            )
        log.error("unexpected error at %s", error.path, exc_info=original)
        return GraphQLError(
            UNEXPECTED_MESSAGE,
            nodes=error.nodes,
            path=error.path,
            extensions={"code": "INTERNAL_SERVER_ERROR"},
        )


#: graphql-core's suggestion (``graphql.pyutils.did_you_mean``): names from the schema, which a
#: production server does not tell a caller that may not introspect it.
_SUGGESTION = re.compile(r" Did you mean (?:the enum value )?'\w+'(?:(?:, '\w+')*,? or '\w+')?\?")


def with_code(error: GraphQLError, *, hide_suggestions: bool = False) -> GraphQLError:
    """``error`` with an ``extensions.code``: its own, or one told from where it arose; and
    without graphql-core's "Did you mean …?" when ``hide_suggestions`` (production)."""
    message = _SUGGESTION.sub("", error.message) if hide_suggestions else error.message
    code = (error.extensions or {}).get("code")
    if code and message == error.message:
        return error
    return GraphQLError(
        message,
        nodes=error.nodes,
        source=error.source,
        positions=error.positions,
        path=error.path,
        original_error=error.original_error,
        extensions={**(error.extensions or {}), "code": code or _code_of(error)},
    )


def _code_of(error: GraphQLError) -> str:
    if error.message.startswith("Syntax Error"):
        return "GRAPHQL_PARSE_FAILED"
    if error.message.startswith("Variable '$") or error.path is not None:
        # Coercing the variables, or an argument's value refused while resolving (a GlobalID
        # that does not decode): the client's input.
        return "BAD_USER_INPUT"
    return "GRAPHQL_VALIDATION_FAILED"


#: What a person reads when the HTTP request itself is refused, by status.
_REFUSED = {
    404: "未找到该地址",
    405: "不支持该请求方法，请使用 POST（开发环境亦可使用 GET）",
}
_MALFORMED = "无法处理该请求：请求体须为 UTF-8 编码的 JSON，并带有相应的 Content-Type"


def request_refused(status: int, reason: str) -> dict[str, object]:
    """The JSON body answering an HTTP request that is no GraphQL request (a body that is not
    JSON or not UTF-8, a content type or method the endpoint does not take), coded like every
    error: ``BAD_REQUEST`` (``NOT_FOUND`` for a 404); ``reason`` is the library's own words."""
    code = "NOT_FOUND" if status == 404 else "BAD_REQUEST"
    message = _REFUSED.get(status, _MALFORMED)
    return {"errors": [{"message": message, "extensions": {"code": code, "reason": reason}}]}
