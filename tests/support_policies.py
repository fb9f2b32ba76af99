"""Clients with limits, their tokens, and trusted documents, for the tests of what clients may
send (tests/policies, tests/server/test_limits.py)."""

from __future__ import annotations

import hashlib
import itertools
from typing import Any

import sqlalchemy as sa
from support import gid

REGISTER = """mutation($c: ID!, $d: [String!]!) {
  registerDocuments(input: {clientId: $c, documents: $d})
  { documentIds errors { code field message } } }"""

_numbers = itertools.count(1)


def sha256_id(text: str) -> str:
    return "sha256:" + hashlib.sha256(text.encode("utf-8")).hexdigest()


async def create_client(
    owner_engine: Any,
    world: Any,
    *,
    unit: str = "A",
    trusted_documents_only: bool = False,
    cost_budget: int = 100_000,
    requests_per_minute: int = 600,
    active: bool = True,
) -> tuple[int, str]:
    """A front-end client at ``unit`` (as the owner): its row id and its OAuth2 client_id."""
    client_id = f"test-client-{next(_numbers)}"
    async with owner_engine.begin() as conn:
        pk = await conn.scalar(
            sa.text(
                "INSERT INTO oauth_clients (client_id, name, kind, redirect_uris,"
                " allowed_scopes, unit_id, unit_path, school_id, trusted_documents_only,"
                " cost_budget, requests_per_minute, active)"
                " SELECT :client_id, :client_id, 'front_end', '{https://app.example/cb}',"
                " '{read,record,manage}', id, path, school_id, :trusted, :budget, :rpm, :active"
                " FROM units WHERE id = :unit RETURNING id"
            ),
            {
                "client_id": client_id,
                "trusted": trusted_documents_only,
                "budget": cost_budget,
                "rpm": requests_per_minute,
                "active": active,
                "unit": world.units[unit],
            },
        )
    return pk, client_id


def client_gid(pk: int) -> str:
    return gid("OAuthClient", pk)


def client_token(
    platform: Any, world: Any, account: str, client_id: str, scope: str = "read manage"
) -> str:
    """A token of ``account`` issued to ``client_id`` (as its OAuth2 flow would mint it)."""
    return platform.tokens.mint(str(world.users[account]), 600, client_id=client_id, scope=scope)


async def store_document(owner_engine: Any, client_pk: int, text: str) -> str:
    """Register ``text`` for the client directly (as the owner); its id."""
    document_id = sha256_id(text)
    async with owner_engine.begin() as conn:
        await conn.execute(
            sa.text(
                "INSERT INTO trusted_documents (client_pk, document_id, document, unit_path)"
                " SELECT id, :id, :text, unit_path FROM oauth_clients WHERE id = :pk"
            ),
            {"id": document_id, "text": text, "pk": client_pk},
        )
    return document_id


async def by_id(
    client: Any,
    document_id: Any,
    variables: dict[str, Any] | None = None,
    token: str | None = None,
    **extra: Any,
) -> Any:
    """POST a documentId request; the httpx response."""
    headers = {} if token is None else {"Authorization": f"Bearer {token}"}
    body = {"documentId": document_id, "variables": variables or {}, **extra}
    return await client.post("/graphql", json=body, headers=headers)
