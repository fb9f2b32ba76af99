"""What a client may send, as pure decisions: a trusted document's id, whether a text may be one,
and the cost budget a request is held to.

**Document ids** are ``"sha256:"`` and the lower-case hex SHA-256 of the document's UTF-8 text
(the ``trusted_documents.document_id`` check): a client computes the id of the text it ships and
sends only the id, so the text itself never travels, and an id names one text forever (which is
why a resolved text may be cached without expiry).

**Budgets.** A request's static cost (``schema/cost.py``) is compared with one budget:

- no valid token: ``untrusted`` (the lowest);
- a token without a client (an operator's, ``partyplan token``): ``default``;
- a client's token running a trusted document (the platform's or its client's own): the
  client's ``cost_budget``;
- a client's token sending free text (its client is not restricted to trusted documents, or it
  would have been refused): the lower of the client's budget and ``untrusted``. Free text is
  what a third party composes at will; a registered document was looked at when registered.
- a token naming a client that is no longer registered: ``untrusted`` (the token is refused as
  soon as anything binds it).
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass

PREFIX = "sha256:"
_ID = re.compile(r"sha256:[0-9a-f]{64}")
ID_LENGTH = len(PREFIX) + 64
#: Documents one registerDocuments call may carry (the body limit bounds their size).
MAX_DOCUMENTS = 200


def document_id(text: str) -> str:
    """The id of ``text`` (which must be valid UTF-8: see :func:`text_problem`)."""
    return PREFIX + hashlib.sha256(text.encode("utf-8")).hexdigest()


def is_document_id(value: object) -> bool:
    """Whether ``value`` is a well-formed id; checked before any lookup, so a NUL, a lone
    surrogate or a megabyte of text never reaches a cache key or the database."""
    return isinstance(value, str) and len(value) == ID_LENGTH and _ID.fullmatch(value) is not None


def text_problem(text: str) -> str | None:
    """Why ``text`` cannot be a stored document, or None: PostgreSQL's text holds no NUL, and a
    lone surrogate has no UTF-8 form to hash."""
    if "\x00" in text:
        return "文档含有 NUL 字符"
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return "文档含有不成对的代理字符（无法以 UTF-8 编码）"
    return None


@dataclass(frozen=True, slots=True)
class ClientPolicy:
    """What ``oauth_clients`` says a client may send."""

    client_id: str
    active: bool
    trusted_documents_only: bool
    cost_budget: int
    requests_per_minute: int


@dataclass(frozen=True, slots=True)
class Budgets:
    """The settings' budgets: ``default`` for tokens without a client, ``untrusted`` (the
    lowest) for anonymous requests and clients' free text."""

    default: int
    untrusted: int


def cost_budget(
    budgets: Budgets,
    *,
    authenticated: bool,
    client_id: str | None,
    policy: ClientPolicy | None,
    trusted_document: bool,
) -> int:
    """The budget a request is held to (the module's docstring gives the table)."""
    if not authenticated:
        return budgets.untrusted
    if client_id is None:
        return budgets.default
    if policy is None:
        return budgets.untrusted
    if trusted_document:
        return policy.cost_budget
    return min(policy.cost_budget, budgets.untrusted)
