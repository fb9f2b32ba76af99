"""The forced change of an initial password on the sign-in pages."""

from __future__ import annotations

import pytest
from support import scalar
from support_oauth import (
    PASSWORD,
    authorize_url,
    consent,
    create_front_end,
    hidden,
    pkce,
    redirect_params,
    set_password,
    sign_in,
)

NEW = "a brand new password"


async def _must_change(client, world, owner_engine, key: str = "viewer"):  # type: ignore[no-untyped-def]
    """Signed in with an initial password: the browser is on the change-password page."""
    front_end = await create_front_end(owner_engine, world.units["A"])
    await set_password(owner_engine, world.users[key], must_change=True)
    _, challenge = pkce()
    url = authorize_url(front_end, challenge)
    page = await client.get(url)
    signed_in = await sign_in(client, page, key.replace("_", "-"))
    assert signed_in.status_code == 303
    assert signed_in.headers["location"].startswith("/oauth/password?response_type=code")
    page = await client.get(signed_in.headers["location"])
    assert page.status_code == 200 and "修改密码" in page.text
    return url, page


def _form(page, current: str = PASSWORD, new: str = NEW, repeat: str = NEW) -> dict[str, str]:  # type: ignore[no-untyped-def]
    return {
        "csrf": hidden(page.text, "csrf"),
        "query": hidden(page.text, "query"),
        "current": current,
        "new": new,
        "repeat": repeat,
    }


async def test_an_initial_password_must_be_changed_before_consent(client, world, owner_engine):  # type: ignore[no-untyped-def]
    url, page = await _must_change(client, world, owner_engine)
    # The authorization request itself sends the browser back to the change.
    held = await client.get(url)
    assert held.status_code == 303 and held.headers["location"].startswith("/oauth/password?")
    changed = await client.post("/oauth/password", data=_form(page))
    assert changed.status_code == 303
    assert changed.headers["location"] == url
    page = await client.get(url)
    assert "授权确认" in page.text
    assert "code" in redirect_params(await consent(client, page))
    assert await scalar(owner_engine, "SELECT must_change FROM user_credentials") is False
    assert (
        await scalar(owner_engine, "SELECT bool_or(must_change_password) FROM web_sessions")
        is False
    )
    entry = await scalar(
        owner_engine,
        "SELECT actor_user_id FROM audit_log WHERE operation = 'changePassword'"
        " AND object_id = :id",
        id=world.users["viewer"],
    )
    assert entry == world.users["viewer"]
    logged = await scalar(owner_engine, "SELECT string_agg(after::text, '') FROM audit_log")
    assert NEW not in logged and PASSWORD not in logged
    # The new password is the one that signs in now.
    client.cookies.clear()
    page = await client.get(url)
    assert (await sign_in(client, page, "viewer", PASSWORD)).status_code == 200
    assert (await sign_in(client, page, "viewer", NEW)).status_code == 303


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"repeat": NEW + "!"}, "两次输入的新密码不一致"),
        ({"new": PASSWORD, "repeat": PASSWORD}, "不能与当前密码相同"),
        ({"new": "too short", "repeat": "too short"}, "至少 12 个字符"),
        ({"new": "x" * 129, "repeat": "x" * 129}, "至多 128 个字符"),
        ({"new": "bad\x00password!", "repeat": "bad\x00password!"}, "输入无效"),
        ({"current": "not the password"}, "当前密码不正确"),
    ],
)
async def test_a_refused_change_changes_nothing(client, world, owner_engine, changes, message):  # type: ignore[no-untyped-def]
    _, page = await _must_change(client, world, owner_engine)
    before = await scalar(owner_engine, "SELECT password_hash FROM user_credentials")
    refused = await client.post("/oauth/password", data=_form(page) | changes)
    malformed = "\x00" in changes.get("new", "")
    assert refused.status_code == (400 if malformed else 200)
    assert message in refused.text, refused.text
    assert await scalar(owner_engine, "SELECT password_hash FROM user_credentials") == before
    assert await scalar(owner_engine, "SELECT must_change FROM user_credentials") is True
    failures = await scalar(owner_engine, "SELECT failures FROM user_credentials")
    assert failures == (1 if "current" in changes else 0)  # a wrong current one counts


async def test_an_account_without_any_role_changes_it_too(client, world, owner_engine):  # type: ignore[no-untyped-def]
    """Its audit entry goes on its home unit, which its (absent) roles do not reach."""
    _, page = await _must_change(client, world, owner_engine, "nobody")
    changed = await client.post("/oauth/password", data=_form(page))
    assert changed.status_code == 303, changed.text
    assert await scalar(owner_engine, "SELECT must_change FROM user_credentials") is False
    entries = await scalar(
        owner_engine, "SELECT count(*) FROM audit_log WHERE operation = 'changePassword'"
    )
    assert entries == 1


async def test_the_page_needs_a_session(client, world, owner_engine):  # type: ignore[no-untyped-def]
    page = await client.get("/oauth/password")
    assert page.status_code == 200 and 'action="/oauth/sign-in"' in page.text
