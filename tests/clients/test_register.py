"""registerClient: what a front end and a service get, what is stored (a digest, never the
secret), the service's account and its roles, and every typed refusal with its input path.

Refusals per caller (no token, wrong role, other commission) are in
tests/security/test_access_matrix.py.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

import pytest
import sqlalchemy as sa
from support import codes, raw_id, scalar
from support_clients import ascii_gql, front_end, register, registered, service
from support_inputs import error_codes, unresolved

from partyplan.auth import client_secrets
from partyplan.resolvers.clients import rules


async def _row(owner_engine, client_pk: int) -> Any:  # type: ignore[no-untyped-def]
    async with owner_engine.connect() as conn:
        result = await conn.execute(
            sa.text("SELECT * FROM oauth_clients WHERE id = :id"), {"id": client_pk}
        )
        return result.one()


async def _audit(owner_engine, client_pk: int) -> list[Any]:  # type: ignore[no-untyped-def]
    async with owner_engine.connect() as conn:
        result = await conn.execute(
            sa.text(
                "SELECT operation, actor_user_id, unit_id, school_id, before, after FROM audit_log"
                " WHERE object_type = 'OAuthClient' AND object_id = :id ORDER BY id"
            ),
            {"id": client_pk},
        )
        return list(result)


async def test_a_front_end_is_registered_without_secret_or_account(
    gql, world, owner_engine
) -> None:  # type: ignore[no-untyped-def]
    data = front_end(world, allowedOrigins=["HTTPS://Console.Example.edu.cn:443"])
    payload = await registered(gql, world, data)
    client = payload["client"]
    assert payload["clientSecret"] is None
    assert client["clientId"].startswith("pp-") and len(client["clientId"]) == 29
    assert client["kind"] == "FRONT_END" and client["active"] is True
    assert client["unit"] == {"name": "中共山西省委教育工作委员会"}
    assert client["redirectUris"] == data["redirectUris"]
    assert client["allowedOrigins"] == ["https://console.example.edu.cn"]  # as a browser sends
    assert client["allowedScopes"] == ["read", "record"]
    assert (client["costBudget"], client["requestsPerMinute"]) == (
        rules.DEFAULT_COST_BUDGET,
        rules.DEFAULT_REQUESTS_PER_MINUTE,
    )
    assert client["serviceAccount"] is None and client["secretSetAt"] is None
    row = await _row(owner_engine, raw_id(client["id"]))
    assert row.secret_hash is None and row.service_user_id is None
    assert row.created_by == world.users["commission_admin"]
    assert row.unit_path == await scalar(
        owner_engine, "SELECT path::text FROM units WHERE id = :u", u=world.units["commission"]
    )
    (entry,) = await _audit(owner_engine, row.id)
    assert entry.operation == "registerClient" and entry.before is None
    assert entry.actor_user_id == world.users["commission_admin"]
    assert entry.after["client_id"] == client["clientId"]
    assert entry.after["allowed_origins"] == ["https://console.example.edu.cn"]


async def test_scopes_are_kept_once_in_their_canonical_order(gql, world) -> None:  # type: ignore[no-untyped-def]
    data = front_end(world, allowedScopes=["pii", "read", "pii"], costBudget=7, requestsPerMinute=9)
    client = (await registered(gql, world, data))["client"]
    assert client["allowedScopes"] == ["read", "pii"]
    assert (client["costBudget"], client["requestsPerMinute"]) == (7, 9)


async def test_a_service_gets_its_secret_once_an_account_and_its_roles(
    gql, world, owner_engine
) -> None:  # type: ignore[no-untyped-def]
    payload = await registered(gql, world, service(world, roles=["sync_agent", "viewer"]))
    client, secret = payload["client"], payload["clientSecret"]
    assert len(secret) == 43  # 256 bits, URL-safe
    row = await _row(owner_engine, raw_id(client["id"]))
    # Only the digest is stored: the secret appears nowhere in the row.
    assert (
        row.secret_hash == client_secrets.digest(secret) == hashlib.sha256(secret.encode()).digest()
    )
    assert secret not in repr(tuple(row))
    assert row.secret_set_at is not None and client["secretSetAt"] is not None
    account = client["serviceAccount"]
    assert account["username"] == f"svc.{client['clientId']}"
    assert (account["kind"], account["active"]) == ("SERVICE", True)
    assert account["homeUnit"] == {"name": "学校甲党委"}
    assert raw_id(account["id"]) == row.service_user_id
    async with owner_engine.connect() as conn:
        bindings = (
            await conn.execute(
                sa.text(
                    "SELECT role, unit_id, granted_by FROM role_bindings WHERE user_id = :u"
                    " ORDER BY id"
                ),
                {"u": row.service_user_id},
            )
        ).all()
        credentials = await conn.scalar(
            sa.text("SELECT count(*) FROM user_credentials WHERE user_id = :u"),
            {"u": row.service_user_id},
        )
    caller = world.users["commission_admin"]
    assert [tuple(b) for b in bindings] == [
        ("sync_agent", world.units["A"], caller),
        ("viewer", world.units["A"], caller),
    ]
    assert credentials == 0  # no password: it can never sign in
    (entry,) = await _audit(owner_engine, row.id)
    assert entry.school_id == world.units["A"] and entry.unit_id == world.units["A"]
    assert entry.after["service_account"] == {
        "username": account["username"],
        "roles": ["sync_agent", "viewer"],
    }
    text = json.dumps([entry.before, entry.after])
    assert secret not in text and row.secret_hash.hex() not in text


async def test_a_second_read_never_shows_the_secret(gql, world) -> None:  # type: ignore[no-untyped-def]
    payload = await registered(gql, world, service(world))
    result = await gql(
        "query($id: ID!) { node(id: $id) { ... on OAuthClient { clientId } } }",
        {"id": payload["client"]["id"]},
        world.tokens["commission_admin"],
    )
    assert payload["clientSecret"] not in json.dumps(result)


async def test_a_refused_registration_writes_nothing(gql, world, owner_engine) -> None:  # type: ignore[no-untyped-def]
    payload = await register(gql, world, service(world, roles=["sync_agent", "no_such_role"]))
    assert payload["client"] is None and payload["clientSecret"] is None
    assert [(e["code"], e["field"]) for e in payload["errors"]] == [("UNKNOWN_ROLE", "roles.1")]
    for table in ("oauth_clients", "audit_log"):
        assert await scalar(owner_engine, f"SELECT count(*) FROM {table}") == 0
    assert await scalar(owner_engine, "SELECT count(*) FROM users WHERE kind = 'service'") == 0


LONG = "https://app.example/" + "a" * (rules.URI_MAX - 19)

#: (label, registration changes, kind, [(code, field)]).
REFUSALS: list[tuple[str, dict[str, Any], str, list[tuple[str, str]]]] = [
    ("empty name", {"name": "  "}, "front", [("INVALID_NAME", "name")]),
    ("long name", {"name": "名" * 101}, "front", [("INVALID_NAME", "name")]),
    ("NUL in the name", {"name": "a\0b"}, "front", [("INVALID_NAME", "name")]),
    ("lone surrogate in the name", {"name": "a\ud800"}, "front", [("INVALID_NAME", "name")]),
    ("no redirect URI", {"redirectUris": []}, "front", [("REDIRECT_URI_REQUIRED", "redirectUris")]),
    *[
        (
            f"redirect URI {uri[:40]!r}",
            {"redirectUris": ["https://ok.example/cb", uri]},
            "front",
            [("INVALID_REDIRECT_URI", "redirectUris.1")],
        )
        for uri in (
            "/relative/callback",
            "http://app.example/cb",  # http off loopback
            "https://app.example/cb#frag",
            "https://user:pw@app.example/cb",
            "https://app.example/c b",
            "https://app.example/\0",
            "https://app.example/\ud800",
            "https://app.example:0/cb",
            "https://app.example:99999/cb",
            "https://[::1/cb",
            "ftp://app.example/cb",
            "https:///cb",
            "https://bücher.example/cb",
            LONG + "a",
            "https://app.example/" + "x" * 10_000,
        )
    ],
    *[
        (
            f"origin {origin[:40]!r}",
            {"allowedOrigins": [origin]},
            "front",
            [("INVALID_ORIGIN", "allowedOrigins.0")],
        )
        for origin in (
            "https://app.example/",
            "https://app.example/path",
            "https://app.example?x",
            "http://app.example",
            "app.example",
            "https://app.example#",
            "null",
            "*",
            "https://" + "a" * 10_000 + ".example",
        )
    ],
    (
        "unknown scope",
        {"allowedScopes": ["read", "admin"]},
        "front",
        [("UNKNOWN_SCOPE", "allowedScopes.1")],
    ),
    (
        "two scopes in one",
        {"allowedScopes": ["read record"]},
        "front",
        [("UNKNOWN_SCOPE", "allowedScopes.0")],
    ),
    ("NUL scope", {"allowedScopes": ["re\0ad"]}, "front", [("UNKNOWN_SCOPE", "allowedScopes.0")]),
    ("no scope", {"allowedScopes": []}, "front", [("SCOPE_REQUIRED", "allowedScopes")]),
    ("roles on a front end", {"roles": ["viewer"]}, "front", [("ROLES_NOT_ALLOWED", "roles")]),
    ("zero budget", {"costBudget": 0}, "front", [("INVALID_COST_BUDGET", "costBudget")]),
    (
        "budget too high",
        {"costBudget": rules.MAX_COST_BUDGET + 1},
        "front",
        [("INVALID_COST_BUDGET", "costBudget")],
    ),
    (
        "largest Int budget",
        {"costBudget": 2**31 - 1},
        "front",
        [("INVALID_COST_BUDGET", "costBudget")],
    ),
    ("negative rate", {"requestsPerMinute": -1}, "front", [("INVALID_RATE", "requestsPerMinute")]),
    (
        "rate too high",
        {"requestsPerMinute": rules.MAX_REQUESTS_PER_MINUTE + 1},
        "front",
        [("INVALID_RATE", "requestsPerMinute")],
    ),
    (
        "too many redirect URIs",
        {"redirectUris": [f"https://a.example/{i}" for i in range(11)]},
        "front",
        [("TOO_MANY_VALUES", "redirectUris")],
    ),
    (
        "redirect URIs on a service",
        {"redirectUris": ["https://a.example/cb"]},
        "service",
        [("REDIRECT_URIS_NOT_ALLOWED", "redirectUris")],
    ),
    (
        "origins on a service",
        {"allowedOrigins": ["https://a.example"]},
        "service",
        [("ORIGINS_NOT_ALLOWED", "allowedOrigins")],
    ),
    ("a service without roles", {"roles": []}, "service", [("ROLE_REQUIRED", "roles")]),
    ("unknown role", {"roles": ["viewer", "root"]}, "service", [("UNKNOWN_ROLE", "roles.1")]),
    ("role with a NUL", {"roles": ["vie\0wer"]}, "service", [("UNKNOWN_ROLE", "roles.0")]),
    ("role with a lone surrogate", {"roles": ["\udfff"]}, "service", [("UNKNOWN_ROLE", "roles.0")]),
    (
        "role not bindable at a school",
        {"roles": ["commission_viewer"]},
        "service",
        [("ROLE_NOT_BINDABLE_HERE", "roles.0")],
    ),
    (
        "several at once",
        {"name": "", "costBudget": 0, "allowedScopes": ["x"]},
        "service",
        [
            ("INVALID_NAME", "name"),
            ("UNKNOWN_SCOPE", "allowedScopes.0"),
            ("INVALID_COST_BUDGET", "costBudget"),
        ],
    ),
]


@pytest.mark.parametrize(
    ("changes", "kind", "expected"), [r[1:] for r in REFUSALS], ids=[r[0] for r in REFUSALS]
)
async def test_each_refusal_is_typed_and_names_its_field(
    changes: dict[str, Any], kind: str, expected: list[tuple[str, str]], client, world, owner_engine
) -> None:  # type: ignore[no-untyped-def]
    data = front_end(world, **changes) if kind == "front" else service(world, **changes)
    payload = await register(ascii_gql(client), world, data)
    assert payload["client"] is None
    assert [(e["code"], e["field"]) for e in payload["errors"]] == expected
    for error in payload["errors"]:
        assert error["code"] in error_codes("registerClient")
        assert unresolved("registerClient", error["field"], data) is None, error
        assert error["message"]
    assert await scalar(owner_engine, "SELECT count(*) FROM oauth_clients") == 0


async def test_a_role_above_the_callers_own_is_refused(gql, world, owner_engine) -> None:  # type: ignore[no-untyped-def]
    # commission_viewer (rank 90) holds client.manage here only for this test: it may register
    # a service at school A, but not give its account school_admin's permissions it lacks.
    async with owner_engine.begin() as conn:
        await conn.execute(
            sa.text(
                "UPDATE roles SET permissions = array_append(permissions, 'client.manage')"
                " WHERE name = 'commission_viewer'"
            )
        )
    try:
        refused = await register(
            gql, world, service(world, roles=["viewer", "school_admin"]), "commission_viewer"
        )
        assert [(e["code"], e["field"]) for e in refused["errors"]] == [
            ("ROLE_ABOVE_GRANTER", "roles.1")
        ]
        accepted = await register(gql, world, service(world, roles=["viewer"]), "commission_viewer")
        assert accepted["errors"] == [], accepted
    finally:
        async with owner_engine.begin() as conn:
            await conn.execute(
                sa.text(
                    "UPDATE roles SET permissions = array_remove(permissions, 'client.manage')"
                    " WHERE name = 'commission_viewer'"
                )
            )


async def test_an_inactive_unit_takes_no_client(gql, world, owner_engine) -> None:  # type: ignore[no-untyped-def]
    async with owner_engine.begin() as conn:
        await conn.execute(
            sa.text("UPDATE units SET active = false WHERE id = :u"), {"u": world.units["A2"]}
        )
    payload = await register(gql, world, front_end(world, "A2"))
    assert [(e["code"], e["field"]) for e in payload["errors"]] == [("INACTIVE_UNIT", "unitId")]


@pytest.mark.parametrize(
    ("account", "unit", "code"),
    [
        ("school_admin", "A", "FORBIDDEN"),  # in scope, without client.manage
        ("other_commission_admin", "A", "NOT_FOUND"),
        ("commission_admin", "C", "NOT_FOUND"),  # another commission's school
    ],
)
async def test_callers_without_client_manage_there_are_refused(
    account: str, unit: str, code: str, gql, world, owner_engine
) -> None:  # type: ignore[no-untyped-def]
    result = await gql(
        "mutation($input: RegisterClientInput!) { registerClient(input: $input) { errors { code } } }",
        {"input": front_end(world, unit)},
        world.tokens[account],
    )
    assert codes(result) == [code], result
    assert await scalar(owner_engine, "SELECT count(*) FROM oauth_clients") == 0


@pytest.mark.parametrize(
    "changes",
    [
        {"costBudget": 2**31},
        {"requestsPerMinute": 10**40},
        {"kind": "ROOT"},
        {"unitId": "VW5pdDo5OTk5OTk5OTk5OTk5OTk5OTk5OQ=="},
        {"trustedDocumentsOnly": "yes"},
        {"allowedScopes": [None]},
    ],
    ids=[
        "Int past 32 bits",
        "huge integer",
        "unknown kind",
        "unit ID past bigint",
        "a string for a boolean",
        "null in a list",
    ],
)
async def test_malformed_input_is_a_client_error(changes, client, world) -> None:  # type: ignore[no-untyped-def]
    response = await client.post(
        "/graphql",
        json={
            "query": "mutation($input: RegisterClientInput!) { registerClient(input: $input)"
            " { errors { code } } }",
            "variables": {"input": front_end(world, **changes)},
        },
        headers={"Authorization": f"Bearer {world.tokens['commission_admin']}"},
    )
    assert response.status_code < 500, response.text
    errors = response.json()["errors"]
    assert {e["extensions"]["code"] for e in errors} <= {"BAD_USER_INPUT", "NOT_FOUND"}, errors
