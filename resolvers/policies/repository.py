"""Storage of what clients may send: the clients' policies and trusted documents (SQL), and the
platform's own documents (files shipped in the package's ``documents/`` folder).

Two reads run before any principal exists — the limits of a request are decided before it is
bound — so they open a short transaction of their own on the engine and declare themselves a
door (``app.door = 'oauth'``, local to that transaction), under which row-level security shows
``oauth_clients`` and ``trusted_documents`` whatever the scope. They read exactly one client's
policy, or one of its documents by id, and nothing else.
"""

from __future__ import annotations

from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncEngine

from partyplan.models import oauth_clients, trusted_documents
from partyplan.tenants import binding
from partyplan.tenants.session import Session

_POLICY = sa.select(
    oauth_clients.c.client_id,
    oauth_clients.c.active,
    oauth_clients.c.trusted_documents_only,
    oauth_clients.c.cost_budget,
    oauth_clients.c.requests_per_minute,
).where(oauth_clients.c.client_id == sa.bindparam("client_id"))

_DOCUMENT = (
    sa.select(trusted_documents.c.document)
    .select_from(
        trusted_documents.join(oauth_clients, oauth_clients.c.id == trusted_documents.c.client_pk)
    )
    .where(
        oauth_clients.c.client_id == sa.bindparam("client_id"),
        trusted_documents.c.document_id == sa.bindparam("document_id"),
    )
)


async def client_policy(engine: AsyncEngine, client_id: str) -> sa.Row | None:
    """The client's limits (``client_id``, ``active``, ``trusted_documents_only``,
    ``cost_budget``, ``requests_per_minute``), read as a door; None if no such client."""
    async with engine.begin() as conn:
        await binding.open_door(conn)
        return (await conn.execute(_POLICY, {"client_id": client_id})).first()


async def client_document(engine: AsyncEngine, client_id: str, document_id: str) -> str | None:
    """The text registered under ``document_id`` for this client, read as a door; None if it
    registered none."""
    async with engine.begin() as conn:
        await binding.open_door(conn)
        params = {"client_id": client_id, "document_id": document_id}
        return (await conn.execute(_DOCUMENT, params)).scalar()


async def get_client(session: Session, client_pk: int) -> sa.Row | None:
    """A client as the caller's scope shows it (row-level security: its unit's subtree)."""
    stmt = sa.select(
        oauth_clients.c.id,
        oauth_clients.c.client_id,
        oauth_clients.c.unit_id,
        oauth_clients.c.unit_path,
        oauth_clients.c.school_id,
    ).where(oauth_clients.c.id == client_pk)
    return (await session.execute(stmt)).first()


async def insert_documents(
    session: Session,
    *,
    client_pk: int,
    unit_path: str,
    documents: dict[str, str],
    registered_by: int,
) -> list[str]:
    """Store ``documents`` (id → text) for the client; an id it already holds is left as it is
    (the same id is the same text). Returns the ids stored now, in the order given."""
    if not documents:
        return []
    rows = [
        {
            "client_pk": client_pk,
            "document_id": document_id,
            "document": text,
            "unit_path": unit_path,
            "registered_by": registered_by,
        }
        for document_id, text in documents.items()
    ]
    stmt = (
        insert(trusted_documents)
        .values(rows)
        .on_conflict_do_nothing(index_elements=["client_pk", "document_id"])
        .returning(trusted_documents.c.document_id)
    )
    stored = set((await session.execute(stmt)).scalars())
    return [document_id for document_id in documents if document_id in stored]


def read_document_files(folder: Path) -> list[tuple[str, bytes]]:
    """Every ``*.graphql`` file of ``folder`` as (file name, bytes), by name; none when the
    folder does not exist. The bytes are the file as shipped (no newline translation): its id
    is their SHA-256."""
    if not folder.is_dir():
        return []
    return [
        (path.name, path.read_bytes())
        for path in sorted(folder.glob("*.graphql"))
        if path.is_file()
    ]
