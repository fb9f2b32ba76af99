"""Passwords and account management: the password rules, ``verify_password`` (the sign-in
check of the next slice) with its lockouts, and updateUser, deactivateUser, resetPassword.

Refusals per field (no token, wrong role, other school) are in tests/security/test_access_matrix.py.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from support import codes, scalar

from partyplan.resolvers.access import rules, service
from partyplan.resolvers.access.errors import AccountError, AccountErrorCode

RESET = """mutation($id: ID!, $p: String!) { resetPassword(input: {userId: $id, password: $p})
  { user { username } errors { code field } } }"""
DEACTIVATE = """mutation($id: ID!) { deactivateUser(input: {userId: $id})
  { user { active } errors { code field } } }"""
UPDATE = """mutation($id: ID!, $n: String, $u: ID) {
  updateUser(input: {userId: $id, displayName: $n, homeUnitId: $u})
  { user { displayName homeUnit { name } } errors { code field } } }"""
ME = "{ me { user { username } } }"

PASSWORD = "correct horse battery"
NOW = datetime(2026, 11, 24, 9, tzinfo=UTC)


# --- rules -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("password", "code"),
    [
        ("short-pw-11", AccountErrorCode.PASSWORD_TOO_SHORT),
        ("x" * 129, AccountErrorCode.PASSWORD_TOO_LONG),
        ("Alice.Example", AccountErrorCode.PASSWORD_IS_USERNAME),
        ("long enough\0password", AccountErrorCode.PASSWORD_INVALID_CHARACTER),
        ("long enough \ud800 password", AccountErrorCode.PASSWORD_INVALID_CHARACTER),
    ],
)
def test_password_rules_refuse(password: str, code: AccountErrorCode) -> None:
    with pytest.raises(AccountError) as refused:
        rules.check_password(password, "alice.example", "password")
    assert (refused.value.code, refused.value.field) == (code, "password")


def test_password_rules_accept_the_bounds() -> None:
    rules.check_password("x" * 12, "alice.example", "password")
    rules.check_password("密" * 128, "alice.example", "password")


def test_lockout_doubles_and_is_bounded() -> None:
    assert rules.lock_for(4, 5) is None
    assert [rules.lock_for(n, 5) for n in (5, 6, 7)] == [
        timedelta(minutes=1),
        timedelta(minutes=2),
        timedelta(minutes=4),
    ]
    assert rules.lock_for(10_000, 5) == rules.LOCK_MAX


# --- verify_password -----------------------------------------------------------------------------


async def _reset(gql, world, key: str = "nobody", password: str = PASSWORD) -> None:  # type: ignore[no-untyped-def]
    result = await gql(RESET, {"id": world.uid(key), "p": password}, world.tokens["school_admin"])
    assert result["data"]["resetPassword"]["errors"] == [], result


async def _verify(platform, username: str, password: str, address: str = "10.0.0.1", now=NOW):  # type: ignore[no-untyped-def]
    """One sign-in attempt in a transaction of its own, committed whatever the outcome (what
    the sign-in page does); the service role, no principal bound."""
    async with platform.engine.begin() as conn:
        try:
            return await service.verify_password(conn, username, password, address, now)
        except AccountError as error:
            return error.code


async def test_the_right_password_signs_in_and_flags_the_forced_change(
    gql, world, platform
) -> None:  # type: ignore[no-untyped-def]
    await _reset(gql, world)
    signed_in = await _verify(platform, "nobody", PASSWORD)
    assert signed_in == service.SignedIn(world.users["nobody"], must_change_password=True)


async def test_wrong_unknown_inactive_and_passwordless_answer_alike(gql, world, platform) -> None:  # type: ignore[no-untyped-def]
    await _reset(gql, world)
    await _reset(gql, world, "viewer")
    result = await gql(DEACTIVATE, {"id": world.uid("viewer")}, world.tokens["school_admin"])
    assert result["data"]["deactivateUser"]["errors"] == []
    failed = AccountErrorCode.SIGN_IN_FAILED
    assert await _verify(platform, "nobody", "wrong password!") == failed
    assert await _verify(platform, "no-such-user", PASSWORD) == failed
    assert await _verify(platform, "viewer", PASSWORD) == failed  # deactivated
    assert await _verify(platform, "branch-secretary", PASSWORD) == failed  # no password set


async def test_five_failures_lock_the_account_with_a_doubling_back_off(
    gql, world, platform, owner_engine
) -> None:  # type: ignore[no-untyped-def]
    await _reset(gql, world)
    for _ in range(rules.ACCOUNT_THRESHOLD):
        assert await _verify(platform, "nobody", "wrong password!") != PASSWORD
    # Locked: even the right password is refused, and the attempt is not counted.
    locked = await _verify(platform, "nobody", PASSWORD, now=NOW + timedelta(seconds=59))
    assert locked == AccountErrorCode.SIGN_IN_FAILED
    assert await scalar(owner_engine, "SELECT failures FROM user_credentials") == 5
    assert (
        await scalar(owner_engine, "SELECT count(*) FROM audit_log WHERE operation = 'lockAccount'")
        == 1
    )
    # After the lock, one more failure locks for twice as long.
    later = NOW + timedelta(minutes=1, seconds=1)
    assert await _verify(platform, "nobody", "wrong again!!", now=later) == (
        AccountErrorCode.SIGN_IN_FAILED
    )
    refused = await _verify(platform, "nobody", PASSWORD, now=later + timedelta(seconds=119))
    assert refused == AccountErrorCode.SIGN_IN_FAILED
    accepted = await _verify(platform, "nobody", PASSWORD, now=later + timedelta(seconds=121))
    assert isinstance(accepted, service.SignedIn)
    assert await scalar(owner_engine, "SELECT failures FROM user_credentials") == 0


async def test_an_address_is_locked_across_accounts(gql, world, platform, owner_engine) -> None:  # type: ignore[no-untyped-def]
    await _reset(gql, world)
    for n in range(rules.ADDRESS_THRESHOLD):  # guesses spread over many (unknown) names
        await _verify(platform, f"guess-{n}", PASSWORD, address="192.0.2.7")
    blocked = await _verify(platform, "nobody", PASSWORD, address="192.0.2.7")
    assert blocked == AccountErrorCode.SIGN_IN_FAILED
    elsewhere = await _verify(platform, "nobody", PASSWORD, address="192.0.2.8")
    assert isinstance(elsewhere, service.SignedIn)
    assert (
        await scalar(owner_engine, "SELECT count(*) FROM audit_log WHERE operation = 'lockAddress'")
        == 1
    )


async def test_a_reset_lifts_a_lockout_and_is_audited(gql, world, platform, owner_engine) -> None:  # type: ignore[no-untyped-def]
    await _reset(gql, world)
    for _ in range(rules.ACCOUNT_THRESHOLD):
        await _verify(platform, "nobody", "wrong password!")
    await _reset(gql, world, password="another good password")
    signed_in = await _verify(platform, "nobody", "another good password")
    assert isinstance(signed_in, service.SignedIn)
    entries = await scalar(
        owner_engine, "SELECT count(*) FROM audit_log WHERE operation = 'resetPassword'"
    )
    assert entries == 2
    logged = await scalar(owner_engine, "SELECT string_agg(after::text, '') FROM audit_log")
    assert "another good" not in logged and "argon2" not in logged


async def test_the_service_role_cannot_read_address_counts(platform) -> None:  # type: ignore[no-untyped-def]
    import sqlalchemy as sa
    from sqlalchemy.exc import ProgrammingError

    with pytest.raises(ProgrammingError):
        async with platform.engine.connect() as conn:
            await conn.execute(sa.text("SELECT * FROM sign_in_sources"))


# --- the mutations --------------------------------------------------------------------------------


async def test_reset_password_rules_and_self(gql, world) -> None:  # type: ignore[no-untyped-def]
    admin = world.tokens["school_admin"]
    short = await gql(RESET, {"id": world.uid("nobody"), "p": "too short"}, admin)
    assert short["data"]["resetPassword"]["errors"] == [
        {"code": "PASSWORD_TOO_SHORT", "field": "password"}
    ]
    own = await gql(RESET, {"id": world.uid("school_admin"), "p": PASSWORD}, admin)
    assert own["data"]["resetPassword"]["errors"] == [{"code": "SELF_RESET", "field": "userId"}]


async def test_no_one_manages_an_account_holding_a_role_above_their_own(
    gql, world, owner_engine
) -> None:  # type: ignore[no-untyped-def]
    """A commission administrator homed in committee A1 holds a role the unit administrator of
    A1 cannot see: the unit administrator may neither reset, deactivate nor move that account."""
    import sqlalchemy as sa

    async with owner_engine.begin() as conn:
        await conn.execute(
            sa.text(
                "UPDATE users SET home_unit_id = :u, home_path = (SELECT path FROM units"
                " WHERE id = :u), school_id = :s WHERE id = :id"
            ),
            {"u": world.units["A1"], "s": world.units["A"], "id": world.users["commission_admin"]},
        )
    caller = world.tokens["unit_admin"]
    target = world.uid("commission_admin")
    for document, field, variables in (
        (RESET, "resetPassword", {"id": target, "p": PASSWORD}),
        (DEACTIVATE, "deactivateUser", {"id": target}),
        (UPDATE, "updateUser", {"id": target, "n": "改名"}),
    ):
        result = await gql(document, variables, caller)
        assert result["data"][field]["errors"] == [
            {"code": "USER_ABOVE_CALLER", "field": "userId"}
        ], result


async def test_a_deactivated_users_token_stops_at_the_next_request(gql, world) -> None:  # type: ignore[no-untyped-def]
    token = world.tokens["viewer"]
    assert "errors" not in await gql(ME, token=token)
    result = await gql(DEACTIVATE, {"id": world.uid("viewer")}, world.tokens["school_admin"])
    assert result["data"]["deactivateUser"] == {"user": {"active": False}, "errors": []}
    assert codes(await gql(ME, token=token)) == ["UNAUTHENTICATED"]
    again = await gql(DEACTIVATE, {"id": world.uid("viewer")}, world.tokens["school_admin"])
    assert again["data"]["deactivateUser"]["errors"] == [
        {"code": "ALREADY_INACTIVE", "field": "userId"}
    ]


async def test_deactivating_oneself_is_refused(gql, world) -> None:  # type: ignore[no-untyped-def]
    admin = world.tokens["school_admin"]
    result = await gql(DEACTIVATE, {"id": world.uid("school_admin")}, admin)
    assert result["data"]["deactivateUser"]["errors"] == [
        {"code": "SELF_DEACTIVATE", "field": "userId"}
    ]


async def test_update_user_renames_and_moves_within_the_callers_units(gql, world) -> None:  # type: ignore[no-untyped-def]
    admin = world.tokens["school_admin"]
    moved = await gql(
        UPDATE, {"id": world.uid("nobody"), "n": " 新 名字 ", "u": world.gid("A2")}, admin
    )
    assert moved["data"]["updateUser"] == {
        "user": {"displayName": "新 名字", "homeUnit": {"name": "甲校机关党支部"}},
        "errors": [],
    }
    nothing = await gql(UPDATE, {"id": world.uid("nobody")}, admin)
    assert nothing["data"]["updateUser"]["errors"] == [
        {"code": "NOTHING_TO_UPDATE", "field": "userId"}
    ]
    away = await gql(UPDATE, {"id": world.uid("nobody"), "u": world.gid("B1")}, admin)
    assert codes(away) == ["NOT_FOUND"]
