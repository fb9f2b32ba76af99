"""What one request is, as the logs, the metrics and the traces see it.

The access middleware (``middleware.py``) makes an :class:`Observation` for every HTTP request
and keeps it in a context variable for the request's task. Whatever runs inside the request —
the request context verifying the token, the GraphQL extension naming the operation, any log
call — reads or fills in that same object: it is mutable on purpose, so that what is learned
deep inside reaches the access line written at the end. Outside a request there is none, and
every reader copes with that.
"""

from __future__ import annotations

import uuid
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Protocol

#: The header a request id is read from and echoed in (a load balancer's, or the client's own).
REQUEST_ID_HEADER = "X-Request-ID"
#: Longest request id taken from a client; a longer one is replaced by one of ours.
MAX_REQUEST_ID = 128


class Claims(Protocol):
    """What a verified token tells about its caller (``auth.tokens.TokenClaims``)."""

    @property
    def subject(self) -> str: ...

    @property
    def client_id(self) -> str | None: ...


@dataclass
class Observation:
    request_id: str
    #: The verified token's subject (the user's id) and OAuth2 client, when there is a token.
    user: str | None = None
    client: str | None = None
    #: Set by the GraphQL extension: the operation's name (None: anonymous), its type, and how
    #: it ended (``graphql.py``: ok, refused, client_error, server_error).
    operation: str | None = None
    operation_type: str | None = None
    outcome: str | None = None
    #: The request's trace, when tracing is on: log lines carry it, to find the trace.
    trace_id: str | None = None


_current: ContextVar[Observation | None] = ContextVar("partyplan_observation", default=None)


def current() -> Observation | None:
    """The running request's observation; None outside a request."""
    return _current.get()


def request_id() -> str | None:
    """The running request's id (to quote in an answer); None outside a request."""
    observation = _current.get()
    return None if observation is None else observation.request_id


def begin(observation: Observation) -> object:
    """Make ``observation`` the current one; returns the token :func:`end` takes."""
    return _current.set(observation)


def end(token: object) -> None:
    _current.reset(token)  # type: ignore[arg-type]


def accepted_request_id(value: bytes | None) -> str:
    """The client's request id when it is 1 to :data:`MAX_REQUEST_ID` printable ASCII
    characters without spaces (it goes into log lines and a response header as it is); else a
    new one, a random 32-digit hex string."""
    if value and len(value) <= MAX_REQUEST_ID and all(0x21 <= byte <= 0x7E for byte in value):
        return value.decode("ascii")
    return uuid.uuid4().hex


def note_caller(claims: Claims | None) -> None:
    """Record who the running request is for (a verified token's subject and client)."""
    observation = _current.get()
    if observation is not None and claims is not None:
        observation.user = claims.subject
        observation.client = claims.client_id
