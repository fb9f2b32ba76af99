"""The compiled documents' tests (tests/schema/test_compiled_*.py): who asks, where, and the
same document sent as text (the ordinary executor) and by its id (compiled)."""

from __future__ import annotations

import hashlib
from typing import Any

ACCOUNTS = (
    "commission_admin",
    "commission_viewer",
    "school_admin",
    "unit_admin",
    "branch_secretary",
    "viewer",
    "sync_agent",
    "other_school_admin",
    "other_commission_admin",
    "nobody",
)
UNITS = ("commission", "A", "A1", "A1a", "A1b", "A2", "B", "B1", "commission2", "C")


def document_id(text: str) -> str:
    return "sha256:" + hashlib.sha256(text.encode()).hexdigest()


async def both(http, world, account: str | None, text: str, variables: dict) -> tuple[Any, Any]:  # type: ignore[no-untyped-def]
    headers = {} if account is None else {"Authorization": f"Bearer {world.tokens[account]}"}
    ordinary = await http.post(
        "/graphql", json={"query": text, "variables": variables}, headers=headers
    )
    known = await http.post(
        "/graphql",
        json={"documentId": document_id(text), "variables": variables},
        headers=headers,
    )
    assert known.status_code == ordinary.status_code, (known.text, ordinary.text)
    return ordinary.json(), known.json()
