"""Registering OAuth2 clients through the API, for the tests of the registry, CORS and the
access matrix."""

from __future__ import annotations

import json
from typing import Any

CLIENT_FIELDS = """id clientId name kind redirectUris allowedOrigins allowedScopes
  trustedDocumentsOnly costBudget requestsPerMinute active createdAt secretSetAt disabledAt
  unit { name } serviceAccount { id username kind active homeUnit { name } }"""

REGISTER = f"""mutation($input: RegisterClientInput!) {{ registerClient(input: $input) {{
  client {{ {CLIENT_FIELDS} }} clientSecret errors {{ code field message }} }} }}"""
ROTATE = f"""mutation($id: ID!) {{ rotateClientSecret(input: {{clientId: $id}}) {{
  client {{ {CLIENT_FIELDS} }} clientSecret errors {{ code field message }} }} }}"""
DISABLE = f"""mutation($id: ID!) {{ disableClient(input: {{clientId: $id}}) {{
  client {{ {CLIENT_FIELDS} }} errors {{ code field message }} }} }}"""

SPA_ORIGIN = "https://console.example.edu.cn"


def front_end(world: Any, unit: str = "commission", **changes: Any) -> dict[str, Any]:
    return {
        "name": "组织工作台",
        "kind": "FRONT_END",
        "unitId": world.gid(unit),
        "redirectUris": [f"{SPA_ORIGIN}/callback", "http://127.0.0.1:5173/callback"],
        "allowedOrigins": [SPA_ORIGIN],
        "allowedScopes": ["read", "record"],
        **changes,
    }


def service(world: Any, unit: str = "A", **changes: Any) -> dict[str, Any]:
    return {
        "name": "12371 同步",
        "kind": "SERVICE",
        "unitId": world.gid(unit),
        "allowedScopes": ["read", "sync"],
        "roles": ["sync_agent"],
        **changes,
    }


async def register(gql: Any, world: Any, data: dict[str, Any], account: str = "commission_admin"):  # type: ignore[no-untyped-def]
    """The registerClient payload (asserting no GraphQL error)."""
    result = await gql(REGISTER, {"input": data}, world.tokens[account])
    assert "errors" not in result, result
    return result["data"]["registerClient"]


async def registered(gql: Any, world: Any, data: dict[str, Any]) -> dict[str, Any]:
    """A client registered by the commission's administrator, with its secret if any."""
    payload = await register(gql, world, data)
    assert payload["errors"] == [], payload
    return payload


async def matrix_ids(gql: Any, world: Any) -> dict[str, str]:
    """The clients the access matrix acts on: a front end and a service at the commission."""
    spa = await registered(gql, world, front_end(world))
    sync = await registered(gql, world, service(world, "commission"))
    return {"front_end_client": spa["client"]["id"], "service_client": sync["client"]["id"]}


def ascii_gql(client: Any):  # type: ignore[no-untyped-def]
    """Like the ``gql`` fixture, but the body is ASCII JSON (``\\ud800`` escapes): a lone
    surrogate, which no UTF-8 encoder writes, arrives as JSON allows it."""

    async def run(query: str, variables: dict[str, Any], token: str | None = None) -> Any:
        headers = {"Content-Type": "application/json"}
        if token is not None:
            headers["Authorization"] = f"Bearer {token}"
        body = json.dumps({"query": query, "variables": variables})
        response = await client.post("/graphql", content=body, headers=headers)
        assert response.status_code == 200, response.text
        return response.json()

    return run
