"""What each client may send: registering its trusted documents, and the in-process caches the
server reads on every request (a client's policy, a document's text by id).

The schema is the judge of a document, and it lives above this layer: operations that must
tell whether a text is a valid document take a :data:`Check` from their caller (the schema's
parse and validation with the request limits, ``schema/policies/checks.py``).
"""

from __future__ import annotations

import asyncio
import time
from collections import OrderedDict
from collections.abc import Callable, Mapping
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine

from partyplan.auth.permissions import Permission
from partyplan.resolvers.audit import repository as audit
from partyplan.resolvers.errors import ValidationErrors
from partyplan.tenants.session import Session

from . import repository, rules
from .errors import PolicyError, PolicyErrorCode
from .rules import ClientPolicy

#: The problems of a document's text (it does not parse, or does not validate), none if valid.
Check = Callable[[str], list[str]]


def _problem(text: str, check: Check) -> str | None:
    problem = rules.text_problem(text)
    if problem is not None:
        return problem
    problems = check(text)
    return "; ".join(problems[:3]) if problems else None


async def visible_client(session: Session, client_pk: int, field: str = "clientId") -> sa.Row:
    """The client if the caller reaches its unit (else NOT_FOUND), with ``client.manage``
    there (else FORBIDDEN)."""
    row = await repository.get_client(session, client_pk)
    return session.reach(row, f"该客户端（{field}）", Permission.CLIENT_MANAGE)


async def register_documents(
    session: Session, *, client_pk: int, documents: list[str], check: Check
) -> list[str]:
    """Register ``documents`` as the client's trusted documents; their ids, in the order given.

    Idempotent: a document registered before keeps its row and is not audited again; only the
    ids stored by this call are audited (one entry, on the client). All or nothing: one invalid
    document refuses the whole call, each named by its index (``documents.3``).
    """
    client = await visible_client(session, client_pk)
    if not documents:
        raise PolicyError(PolicyErrorCode.NO_DOCUMENTS, "请至少提供一个文档", "documents")
    if len(documents) > rules.MAX_DOCUMENTS:
        raise PolicyError(
            PolicyErrorCode.TOO_MANY_DOCUMENTS,
            f"每次最多登记 {rules.MAX_DOCUMENTS} 个文档",
            "documents",
        )
    errors = []
    for index, text in enumerate(documents):
        problem = _problem(text, check)
        if problem is not None:
            field = f"documents.{index}"
            errors.append(PolicyError(PolicyErrorCode.INVALID_DOCUMENT, problem, field))
    if errors:
        raise ValidationErrors(errors)
    ids = [rules.document_id(text) for text in documents]
    stored = await repository.insert_documents(
        session,
        client_pk=client.id,
        unit_path=client.unit_path,
        documents=dict(zip(ids, documents, strict=True)),
        registered_by=session.principal.user_id,
    )
    if stored:
        await audit.append(
            session,
            operation="registerDocuments",
            object_type="OAuthClient",
            object_id=client.id,
            unit_id=client.unit_id,
            school_id=client.school_id,
            before=None,
            after={"client_id": client.client_id, "document_ids": stored},
        )
    return ids


class InvalidPlatformDocument(ValueError):
    """A file of the platform's documents folder is not a valid document: the server refuses to
    start rather than serve screens whose requests would fail."""


def platform_documents(folder: Path, check: Check) -> dict[str, str]:
    """The platform's own documents (id → text): every ``*.graphql`` file of ``folder``, read
    once at startup and offered to every caller."""
    documents = {}
    for name, data in repository.read_document_files(folder):
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError as error:
            raise InvalidPlatformDocument(f"{name}: not UTF-8 ({error.reason})") from error
        problem = _problem(text, check)
        if problem is not None:
            raise InvalidPlatformDocument(f"{name}: {problem}")
        documents[rules.document_id(text)] = text
    return documents


class PolicyCache:
    """Clients' policies, each read at most every ``ttl`` seconds in this process (a change
    applies within that); concurrent misses for one client share one read. A client that does
    not exist is remembered as None for as long."""

    def __init__(
        self,
        ttl: float = 5.0,
        *,
        maxsize: int = 10_000,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._ttl, self._maxsize, self._clock = ttl, maxsize, clock
        self._entries: dict[str, tuple[float, ClientPolicy | None]] = {}
        self._reading: dict[str, asyncio.Future[ClientPolicy | None]] = {}

    async def get(self, engine: AsyncEngine, client_id: str) -> ClientPolicy | None:
        entry = self._entries.get(client_id)
        if entry is not None and entry[0] > self._clock():
            return entry[1]
        reading = self._reading.get(client_id)
        if reading is not None:
            return await asyncio.shield(reading)
        reading = asyncio.get_running_loop().create_future()
        self._reading[client_id] = reading
        try:
            row = await repository.client_policy(engine, client_id)
            policy = None if row is None else ClientPolicy(**row._mapping)
        except BaseException as error:
            reading.set_exception(error)
            reading.exception()  # retrieved: a failure with no other reader is not logged
            raise
        finally:
            del self._reading[client_id]
        if len(self._entries) >= self._maxsize:
            self._entries.clear()  # crude, and bounded: each is read again within ttl anyway
        self._entries[client_id] = (self._clock() + self._ttl, policy)
        reading.set_result(policy)
        return policy


class DocumentCache:
    """Texts of trusted documents by id: the platform's (every caller's), then the caller's
    client's, read from the database on first use and kept (an id names one text forever) in
    a bounded LRU keyed by (client, id). An unknown id is not remembered: it may be registered
    the next moment."""

    def __init__(self, platform: Mapping[str, str], *, maxsize: int = 1024) -> None:
        self.platform = dict(platform)
        self._maxsize = maxsize
        self._texts: OrderedDict[tuple[str, str], str] = OrderedDict()

    async def resolve(
        self, engine: AsyncEngine, client_id: str | None, document_id: str
    ) -> str | None:
        text = self.platform.get(document_id)
        if text is not None or client_id is None:
            return text
        key = (client_id, document_id)
        text = self._texts.get(key)
        if text is not None:
            self._texts.move_to_end(key)
            return text
        text = await repository.client_document(engine, client_id, document_id)
        if text is not None:
            self._texts[key] = text
            if len(self._texts) > self._maxsize:
                self._texts.popitem(last=False)
        return text
