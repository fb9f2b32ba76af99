"""Every query and mutation, refused the right way: no token → UNAUTHENTICATED; a bad token
(expired, another key, ``alg: none``, HS256 signed with the public key) → UNAUTHENTICATED; the
wrong role → FORBIDDEN; a caller from another school → NOT_FOUND. Each case also has a positive
control with the right caller, so a resolver that refuses everyone fails here too.

``test_matrix_covers_every_root_field`` fails when a field is added without a row here.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from support import codes, gid

from partyplan.auth.keys import KeyStore
from partyplan.auth.tokens import TokenService
from partyplan.schema.schema import Mutation, Query

W = Any  # the conftest World


@dataclass(frozen=True)
class Case:
    document: str
    variables: Callable[[W], dict[str, Any]]
    ok: str  # account whose call succeeds
    wrong_role: tuple[str, str] | None  # (account, expected code) or None when every role may
    other_school: str | None  # account of another school/commission, expects NOT_FOUND
    note: str = ""


def _unit(key: str) -> Callable[[W], dict[str, Any]]:
    return lambda w: {"id": w.gid(key)}


CASES: dict[str, Case] = {
    "node": Case("query($id: ID!) { node(id: $id) { id } }", _unit("A1a"), "school_admin",
                 ("nobody", "NOT_FOUND"), "other_school_admin",
                 "every role reads units; an account without any role reaches nothing"),
    "unit": Case("query($id: ID!) { unit(id: $id) { name } }", _unit("A1a"), "branch_secretary",
                 ("nobody", "NOT_FOUND"), "other_school_admin",
                 "every role reads units; an account without any role reaches nothing"),
    "units": Case("query($id: ID) { units(under: $id) { edges { node { name } } } }",
                  _unit("A"), "viewer", ("nobody", "NOT_FOUND"), "other_school_admin"),
    "me": Case("{ me { user { username } } }", lambda w: {}, "nobody", None, None,
               "every authenticated caller sees itself"),
    "roles": Case("{ roles { name } }", lambda w: {}, "nobody", None, None,
                  "role definitions are platform data, not a tenant's"),
    "users": Case("query($id: ID) { users(under: $id) { edges { node { username } } } }",
                  _unit("A"), "school_admin", ("viewer", "FORBIDDEN"), "other_school_admin"),
    "auditTrail": Case(
        "query($id: ID!) { auditTrail(objectId: $id) { edges { node { operation } } } }",
        _unit("A1a"), "unit_admin", ("branch_secretary", "FORBIDDEN"), "other_commission_admin"),
    "createUnit": Case(
        "mutation($id: ID!) { createUnit(input: {parentId: $id, kind: BRANCH, name: \"新支部\"})"
        " { unit { id } errors { code } } }",
        _unit("A1"), "unit_admin", ("viewer", "FORBIDDEN"), "other_school_admin"),
    "renameUnit": Case(
        "mutation($id: ID!) { renameUnit(input: {unitId: $id, name: \"改名\"}) { unit { name } } }",
        _unit("A1a"), "school_admin", ("branch_secretary", "FORBIDDEN"), "other_school_admin"),
    "moveUnit": Case(
        "mutation($id: ID!, $to: ID!) { moveUnit(input: {unitId: $id, newParentId: $to})"
        " { unit { id } errors { code } } }",
        lambda w: {"id": w.gid("A1b"), "to": w.gid("A")}, "school_admin",
        ("viewer", "FORBIDDEN"), "other_school_admin"),
    "deactivateUnit": Case(
        "mutation($id: ID!) { deactivateUnit(input: {unitId: $id}) { unit { active } } }",
        _unit("A2"), "school_admin", ("branch_secretary", "NOT_FOUND"), "other_school_admin",
        "a branch secretary's scope is its branch: A2 is outside it"),
    "createUser": Case(
        "mutation($id: ID!) { createUser(input: {homeUnitId: $id, username: \"new-user\","
        " displayName: \"新用户\"}) { user { id } errors { code } } }",
        _unit("A1a"), "unit_admin", ("branch_secretary", "FORBIDDEN"), "other_school_admin"),
    "grantRole": Case(
        "mutation($u: ID!, $id: ID!) { grantRole(input: {userId: $u, role: \"viewer\", unitId: $id})"
        " { roleBinding { id } errors { code } } }",
        lambda w: {"u": w.uid("nobody"), "id": w.gid("A1")}, "school_admin",
        ("viewer", "FORBIDDEN"), "other_school_admin"),
    "revokeRole": Case(
        "mutation($id: ID!) { revokeRole(input: {roleBindingId: $id}) { roleBinding { id } errors { code } } }",
        lambda w: {"id": gid("RoleBinding", w.bindings["sync_agent"])}, "commission_admin",
        ("viewer", "FORBIDDEN"), "other_school_admin"),
}  # fmt: skip


def _payload_errors(result: dict[str, Any]) -> list[Any]:
    data = result.get("data") or {}
    return [
        error
        for value in data.values()
        if isinstance(value, dict)
        for error in value.get("errors") or []
    ]


def test_matrix_covers_every_root_field() -> None:
    fields = {f.graphql_name or _camel(f.python_name) for t in (Query, Mutation)
              for f in t.__strawberry_definition__.fields}  # fmt: skip
    assert fields == set(CASES), "add a row for each new query or mutation"


def _camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(part.title() for part in rest)


FIELDS = sorted(CASES)


@pytest.mark.parametrize("field", FIELDS)
async def test_right_caller_succeeds(field: str, gql, world) -> None:  # type: ignore[no-untyped-def]
    case = CASES[field]
    result = await gql(case.document, case.variables(world), world.tokens[case.ok])
    assert "errors" not in result, result
    assert not _payload_errors(result), result


@pytest.mark.parametrize("field", FIELDS)
async def test_no_token(field: str, gql, world) -> None:  # type: ignore[no-untyped-def]
    case = CASES[field]
    result = await gql(case.document, case.variables(world))
    assert codes(result) == ["UNAUTHENTICATED"], result
    assert result["data"] is None


# me and roles have no wrong role: every authenticated caller may read them (see their notes).
@pytest.mark.parametrize("field", [f for f in FIELDS if CASES[f].wrong_role])
async def test_wrong_role(field: str, gql, world) -> None:  # type: ignore[no-untyped-def]
    case = CASES[field]
    assert case.wrong_role is not None
    account, code = case.wrong_role
    result = await gql(case.document, case.variables(world), world.tokens[account])
    assert codes(result) == [code], result


@pytest.mark.parametrize("field", [f for f in FIELDS if CASES[f].other_school])
async def test_other_school_gets_not_found(field: str, gql, world) -> None:  # type: ignore[no-untyped-def]
    case = CASES[field]
    result = await gql(case.document, case.variables(world), world.tokens[case.other_school])
    assert codes(result) == ["NOT_FOUND"], result


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _forged(header: dict[str, Any], claims: dict[str, Any], key: bytes | None) -> str:
    signing_input = f"{_b64(json.dumps(header).encode())}.{_b64(json.dumps(claims).encode())}"
    signature = (
        b"" if key is None else hmac.new(key, signing_input.encode(), hashlib.sha256).digest()
    )
    return f"{signing_input}.{_b64(signature)}"


@pytest.fixture
def bad_tokens(platform, world, tmp_path) -> dict[str, str]:  # type: ignore[no-untyped-def]
    subject = str(world.users["commission_admin"])
    now = int(time.time())
    settings = platform.settings
    claims = {"iss": settings.token_issuer, "aud": settings.token_audience, "sub": subject,
              "iat": now, "nbf": now, "exp": now + 600, "jti": "forged"}  # fmt: skip
    other_keys = KeyStore.load_or_create(tmp_path / "other-keys")
    other = TokenService(other_keys, issuer=settings.token_issuer,
                         audience=settings.token_audience, leeway_seconds=30,
                         max_ttl_seconds=3600)  # fmt: skip
    public_x = platform.keys.public_jwks()["keys"][0]["x"]
    return {
        "expired": platform.tokens.mint(subject, 60, now=now - 3600),
        "other_key": other.mint(subject, 600),
        "alg_none": _forged(
            {"alg": "none", "typ": "at+jwt", "kid": platform.keys.kid}, claims, None
        ),
        "hs256_public_key": _forged(
            {"alg": "HS256", "typ": "at+jwt", "kid": platform.keys.kid},
            claims,
            base64.urlsafe_b64decode(public_x + "=" * (-len(public_x) % 4)),
        ),  # fmt: skip
    }


@pytest.mark.parametrize("kind", ["expired", "other_key", "alg_none", "hs256_public_key"])
async def test_bad_tokens_are_unauthenticated_everywhere(kind: str, gql, world, bad_tokens) -> None:  # type: ignore[no-untyped-def]
    for field in FIELDS:
        case = CASES[field]
        result = await gql(case.document, case.variables(world), bad_tokens[kind])
        assert codes(result) == ["UNAUTHENTICATED"], (field, result)
