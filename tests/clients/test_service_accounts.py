"""A service's account has no password and can never sign in: the access domain refuses to
reset its password or edit it (SERVICE_ACCOUNT); it is told apart by ``kind``."""

from __future__ import annotations

from datetime import UTC, datetime

import sqlalchemy as sa
from support import raw_id
from support_clients import registered, service

from partyplan.resolvers.access import service as access
from partyplan.resolvers.access.errors import AccountError, AccountErrorCode

RESET = """mutation($id: ID!) { resetPassword(input: {userId: $id,
  password: "a long enough password"}) { user { id } errors { code field } } }"""
UPDATE = """mutation($id: ID!) { updateUser(input: {userId: $id, displayName: "改名"})
  { user { id } errors { code field } } }"""
REACTIVATE = """mutation($id: ID!) { reactivateUser(input: {userId: $id})
  { user { id } errors { code field } } }"""
USERS = "query($u: ID) { users(under: $u) { edges { node { username kind } } } }"


async def _account(gql, world) -> tuple[str, str]:  # type: ignore[no-untyped-def]
    """A service at school A whose account holds a role its school's administrator outranks."""
    registration = await registered(gql, world, service(world, roles=["viewer"]))
    account = registration["client"]["serviceAccount"]
    return account["id"], account["username"]


async def test_its_password_cannot_be_reset_nor_its_account_edited(
    gql, world, owner_engine
) -> None:  # type: ignore[no-untyped-def]
    account, _ = await _account(gql, world)
    for document, name in ((RESET, "resetPassword"), (UPDATE, "updateUser")):
        for admin in ("commission_admin", "school_admin"):
            result = await gql(document, {"id": account}, world.tokens[admin])
            assert result["data"][name] == {
                "user": None,
                "errors": [{"code": "SERVICE_ACCOUNT", "field": "userId"}],
            }, (name, admin)
    async with owner_engine.connect() as conn:
        credentials = await conn.scalar(
            sa.text("SELECT count(*) FROM user_credentials WHERE user_id = :u"),
            {"u": raw_id(account)},
        )
    assert credentials == 0


async def test_a_disabled_clients_account_cannot_be_reactivated_alone(
    gql, world, owner_engine
) -> None:  # type: ignore[no-untyped-def]
    account, _ = await _account(gql, world)
    async with owner_engine.begin() as conn:
        await conn.execute(
            sa.text("UPDATE users SET active = false WHERE id = :u"), {"u": raw_id(account)}
        )
    result = await gql(REACTIVATE, {"id": account}, world.tokens["commission_admin"])
    assert result["data"]["reactivateUser"] == {
        "user": None,
        "errors": [{"code": "SERVICE_ACCOUNT", "field": "userId"}],
    }


async def test_it_cannot_sign_in(gql, world, platform) -> None:  # type: ignore[no-untyped-def]
    _, username = await _account(gql, world)
    async with platform.engine.begin() as conn:
        try:
            await access.verify_password(
                conn, username, "", "10.0.0.9", datetime(2026, 12, 6, tzinfo=UTC)
            )
        except AccountError as refused:
            assert refused.code == AccountErrorCode.SIGN_IN_FAILED
        else:
            raise AssertionError("a service account signed in")


async def test_accounts_say_whether_they_are_persons_or_services(gql, world) -> None:  # type: ignore[no-untyped-def]
    _, username = await _account(gql, world)
    result = await gql(USERS, {"u": world.gid("A")}, world.tokens["school_admin"])
    kinds = {e["node"]["username"]: e["node"]["kind"] for e in result["data"]["users"]["edges"]}
    assert kinds[username] == "SERVICE"
    assert kinds["school-admin"] == "PERSON"
