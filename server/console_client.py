"""The console's OAuth2 client: a public front end (authorization code + PKCE, no secret),
registered by the platform itself at every start.

Invariants:

- its one redirect URI is ``<public_url>/console/`` and its one origin ``<public_url>``: they
  follow the configured public URL at each start (a changed URL needs no manual step);
- it runs trusted documents only (the platform's ``documents/console-*.graphql``), with the
  scopes ``read`` and ``record`` (what the page does: read, allocate, acknowledge warnings);
- an administrator who disabled it (``disableClient``) keeps it disabled: a start updates the
  addresses, never ``active``;
- it belongs to the first commission (the registry needs a unit; a public client's unit limits
  nothing a person does through it, who acts with their own roles). Before any commission
  exists (a fresh installation before ``partyplan init``) there is nothing to register; the next
  start does it.
"""

from __future__ import annotations

import logging

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from .settings import Settings

log = logging.getLogger("partyplan")

CLIENT_ID = "partyplan-console"
NAME = "发展党员指导性计划管理平台"
SCOPE = "read record"
#: A screen is a handful of documents; a person clicks, a script would not get here.
REQUESTS_PER_MINUTE = 600
#: The console's documents are fixed and validated at startup; the budget of the largest
#: (the province roll-up) with room to spare.
COST_BUDGET = 200_000


def redirect_uri(settings: Settings) -> str:
    return f"{settings.public_url}/console/"


async def register(conn: AsyncConnection, settings: Settings) -> bool:
    """Insert or refresh the console's client (``conn``: the owner's, in a transaction).
    False when there is no commission yet."""
    row = await conn.execute(
        sa.text(
            "INSERT INTO oauth_clients (client_id, name, kind, allowed_scopes, unit_id,"
            " unit_path, cost_budget, requests_per_minute, redirect_uris, allowed_origins,"
            " trusted_documents_only)"
            " SELECT :client_id, :name, 'front_end', :scopes, id, path, :budget, :rate,"
            " ARRAY[:redirect], ARRAY[:origin], true"
            " FROM units WHERE kind = 'commission' AND parent_id IS NULL ORDER BY id LIMIT 1"
            " ON CONFLICT (client_id) DO UPDATE SET redirect_uris = EXCLUDED.redirect_uris,"
            " allowed_origins = EXCLUDED.allowed_origins,"
            " allowed_scopes = EXCLUDED.allowed_scopes,"
            " trusted_documents_only = true"
            " RETURNING active"
        ),
        {
            "client_id": CLIENT_ID,
            "name": NAME,
            "scopes": SCOPE.split(),
            "budget": COST_BUDGET,
            "rate": REQUESTS_PER_MINUTE,
            "redirect": redirect_uri(settings),
            "origin": settings.public_url,
        },
    )
    active = row.scalar_one_or_none()
    if active is None:
        log.info("console: no commission yet; its client is registered at the next start")
        return False
    if not active:
        log.warning("console: the client %s is disabled; the console cannot sign in", CLIENT_ID)
    return True
