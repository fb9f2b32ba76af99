"""changePassword (one's own, proving the current password through the sign-in check, whose
failure counts survive the refused request) and reactivateUser (deactivateUser's inverse).

Refusals per field (no token, wrong role, other school) are in tests/security/test_access_matrix.py.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest
from support import codes, gid, scalar
from support_disclosures import create_person, create_service_account

from partyplan.resolvers.access import rules, service
from partyplan.resolvers.access.errors import AccountError

CHANGE = """mutation($c: String!, $n: String!) {
  changePassword(input: {currentPassword: $c, newPassword: $n})
  { user { username } errors { code field message } } }"""
RESET = """mutation($id: ID!, $p: String!) { resetPassword(input: {userId: $id, password: $p})
  { errors { code field } } }"""
DEACTIVATE = """mutation($id: ID!) { deactivateUser(input: {userId: $id})
  { user { active } errors { code field } } }"""
REACTIVATE = """mutation($id: ID!) { reactivateUser(input: {userId: $id})
  { user { active username } errors { code field } } }"""
ME = "{ me { user { username } } }"

PASSWORD = "correct horse battery"
NEW = "a brand new passphrase"


async def _set(gql, world, key: str = "nobody", password: str = PASSWORD) -> None:  # type: ignore[no-untyped-def]
    result = await gql(RESET, {"id": world.uid(key), "p": password}, world.tokens["school_admin"])
    assert result["data"]["resetPassword"]["errors"] == [], result


async def _change(gql, token: str, current: str, new: str) -> dict:  # type: ignore[no-untyped-def]
    result = await gql(CHANGE, {"c": current, "n": new}, token)
    assert "errors" not in result, result
    return result["data"]["changePassword"]


async def _signs_in(platform, username: str, password: str) -> bool:  # type: ignore[no-untyped-def]
    async with platform.engine.begin() as conn:
        try:
            await service.verify_password(conn, username, password, "10.9.9.9", datetime.now(UTC))
        except AccountError:
            return False
    return True


def _error(payload: dict) -> tuple[str, str]:
    (error,) = payload["errors"]
    return error["code"], error["field"]


# --- changePassword --------------------------------------------------------------------------


async def test_a_changed_password_signs_in_and_the_old_one_no_longer_does(
    gql, world, platform, owner_engine
) -> None:  # type: ignore[no-untyped-def]
    await _set(gql, world)
    payload = await _change(gql, world.tokens["nobody"], PASSWORD, NEW)
    assert payload == {"user": {"username": "nobody"}, "errors": []}
    must_change = await scalar(owner_engine, "SELECT must_change FROM user_credentials")
    assert must_change is False  # the change a reset asks for is made
    assert await _signs_in(platform, "nobody", NEW)
    assert not await _signs_in(platform, "nobody", PASSWORD)
    entry = await scalar(
        owner_engine,
        "SELECT row_to_json(a)::text FROM audit_log a WHERE operation = 'changePassword'",
    )
    written = json.loads(entry)
    assert written["actor_user_id"] == world.users["nobody"]
    # About the account itself, on its home unit in its school's chain.
    assert (written["object_type"], written["object_id"]) == ("User", world.users["nobody"])
    home = await scalar(
        owner_engine, f"SELECT home_unit_id FROM users WHERE id = {world.users['nobody']}"
    )
    assert written["unit_id"] == home
    assert PASSWORD not in entry and NEW not in entry


async def test_a_wrong_current_password_is_refused_and_counted_until_locked(
    gql, world, platform, owner_engine
) -> None:  # type: ignore[no-untyped-def]
    await _set(gql, world)
    token = world.tokens["nobody"]
    for n in range(1, rules.ACCOUNT_THRESHOLD + 1):
        payload = await _change(gql, token, f"wrong password {n}", NEW)
        assert _error(payload) == ("WRONG_PASSWORD", "currentPassword")
        # The request rolled back; the failure, counted in a transaction of its own, stays.
        assert await scalar(owner_engine, "SELECT failures FROM user_credentials") == n
    # Counted against the request's address too, as a sign-in would be.
    assert await scalar(owner_engine, "SELECT address FROM sign_in_sources") == "127.0.0.1"
    locks = "SELECT count(*) FROM audit_log WHERE operation = 'lockAccount'"
    assert await scalar(owner_engine, locks) == 1
    # Locked: even the right password is refused (uncounted), and the password is unchanged.
    assert _error(await _change(gql, token, PASSWORD, NEW)) == ("WRONG_PASSWORD", "currentPassword")
    assert await scalar(owner_engine, "SELECT failures FROM user_credentials") == 5
    assert not await _signs_in(platform, "nobody", NEW)


async def test_the_new_password_keeps_the_rules_and_differs_from_the_current_one(
    gql, world, platform, ascii_gql
) -> None:  # type: ignore[no-untyped-def]
    await _set(gql, world)
    token = world.tokens["nobody"]
    for new, code in (
        (PASSWORD, "PASSWORD_UNCHANGED"),
        ("too short", "PASSWORD_TOO_SHORT"),
        ("nobody", "PASSWORD_TOO_SHORT"),
        ("x" * 129, "PASSWORD_TOO_LONG"),
        ("long enough\0password", "PASSWORD_INVALID_CHARACTER"),
    ):
        assert _error(await _change(gql, token, PASSWORD, new)) == (code, "newPassword"), new
    lone = await ascii_gql(CHANGE, {"c": PASSWORD, "n": "long enough \ud800 password"}, token)
    assert _error(lone["data"]["changePassword"]) == ("PASSWORD_INVALID_CHARACTER", "newPassword")
    # A lone surrogate as the current password is a wrong password, never a 500.
    wrong = await ascii_gql(CHANGE, {"c": "bad \ud800 guess!!", "n": NEW}, token)
    assert _error(wrong["data"]["changePassword"]) == ("WRONG_PASSWORD", "currentPassword")
    assert await _signs_in(platform, "nobody", PASSWORD)


async def test_a_service_account_or_one_without_a_password_has_none_to_change(
    gql, world, platform, owner_engine
) -> None:  # type: ignore[no-untyped-def]
    robot = await create_service_account(owner_engine, "sync-robot", world.units["A"])
    token = platform.tokens.mint(str(robot), 600)
    payload = await _change(gql, token, PASSWORD, NEW)
    assert _error(payload) == ("SERVICE_ACCOUNT", "currentPassword")
    no_password = await _change(gql, world.tokens["viewer"], PASSWORD, NEW)
    assert _error(no_password) == ("NO_PASSWORD", "currentPassword")
    # Nothing was guessed: nothing counted.
    assert await scalar(owner_engine, "SELECT count(*) FROM sign_in_sources") == 0
    assert await scalar(owner_engine, "SELECT count(*) FROM user_credentials") == 0


async def test_a_change_comes_first_in_its_request_and_is_rolled_back_with_it(
    gql, world, platform, owner_engine
) -> None:  # type: ignore[no-untyped-def]
    """The proof runs in a transaction of its own, which must never wait on a row the request
    has already written (the two would wait on each other): a change after a write is refused,
    and the document, all or nothing, writes neither."""
    await _set(gql, world)
    result = await gql(
        """mutation($c: String!, $n: String!) {
          a: changePassword(input: {currentPassword: $c, newPassword: $n}) { errors { code } }
          b: changePassword(input: {currentPassword: "wrong password!", newPassword: $n})
          { errors { code field } } }""",
        {"c": PASSWORD, "n": NEW},
        world.tokens["nobody"],
    )
    assert result["data"]["b"]["errors"] == [{"code": "CHANGE_PASSWORD_FIRST", "field": None}]
    assert "ROLLED_BACK" in codes(result)
    assert await scalar(owner_engine, "SELECT failures FROM user_credentials") == 0
    assert await _signs_in(platform, "nobody", PASSWORD)
    assert not await _signs_in(platform, "nobody", NEW)


# --- reactivateUser --------------------------------------------------------------------------


async def test_a_reactivated_account_acts_again_with_its_unexpired_tokens(
    gql, world, platform, owner_engine
) -> None:  # type: ignore[no-untyped-def]
    admin, viewer = world.tokens["school_admin"], world.tokens["viewer"]
    expired = platform.tokens.mint(str(world.users["viewer"]), 60, now=1_700_000_000)
    result = await gql(DEACTIVATE, {"id": world.uid("viewer")}, admin)
    assert result["data"]["deactivateUser"]["errors"] == []
    assert codes(await gql(ME, None, viewer)) == ["UNAUTHENTICATED"]
    result = await gql(REACTIVATE, {"id": world.uid("viewer")}, admin)
    assert result["data"]["reactivateUser"] == {
        "user": {"active": True, "username": "viewer"},
        "errors": [],
    }
    assert "errors" not in await gql(ME, None, viewer)
    assert codes(await gql(ME, None, expired)) == ["UNAUTHENTICATED"]
    entry = await scalar(
        owner_engine,
        "SELECT row_to_json(a)::text FROM audit_log a WHERE operation = 'reactivateUser'",
    )
    audited = json.loads(entry)
    assert (audited["before"]["active"], audited["after"]["active"]) == (False, True)
    assert audited["actor_user_id"] == world.users["school_admin"]


async def test_reactivation_keeps_deactivations_rules(gql, world, owner_engine) -> None:  # type: ignore[no-untyped-def]
    admin = world.tokens["school_admin"]
    active = await gql(REACTIVATE, {"id": world.uid("viewer")}, admin)
    assert _error(active["data"]["reactivateUser"]) == ("ALREADY_ACTIVE", "userId")
    self = await gql(REACTIVATE, {"id": world.uid("school_admin")}, admin)
    assert _error(self["data"]["reactivateUser"]) == ("SELF_REACTIVATE", "userId")
    # An account holding a role above the caller's, homed inside the caller's units.
    senior = await create_person(
        owner_engine, "senior", world.units["A1a"], role="school_admin", at=world.units["A"]
    )
    result = await gql(DEACTIVATE, {"id": gid("User", senior)}, admin)
    assert result["data"]["deactivateUser"]["errors"] == []
    below = await gql(REACTIVATE, {"id": gid("User", senior)}, world.tokens["unit_admin"])
    assert _error(below["data"]["reactivateUser"]) == ("USER_ABOVE_CALLER", "userId")


@pytest.fixture
def ascii_gql(client):  # type: ignore[no-untyped-def]
    async def run(query: str, variables: dict, token: str) -> dict:  # type: ignore[type-arg]
        body = json.dumps({"query": query, "variables": variables})
        response = await client.post(
            "/graphql",
            content=body,
            headers={"Content-Type": "application/json", "Authorization": f"Bearer {token}"},
        )
        assert response.status_code == 200, response.text
        return response.json()

    return run
