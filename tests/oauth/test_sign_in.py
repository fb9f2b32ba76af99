"""The sign-in pages over HTTP: the form, its lockout, CSRF on every form, the session cookie,
sign-out."""

from __future__ import annotations

import re

import sqlalchemy as sa
from support import scalar
from support_oauth import (
    PASSWORD,
    authorize_url,
    consent,
    create_front_end,
    hidden,
    pkce,
    set_password,
    sign_in,
)

from partyplan.resolvers.access import rules


async def _authorize_page(client, world, owner_engine):  # type: ignore[no-untyped-def]
    front_end = await create_front_end(owner_engine, world.units["A"])
    await set_password(owner_engine, world.users["viewer"])
    _, challenge = pkce()
    page = await client.get(authorize_url(front_end, challenge))
    assert page.status_code == 200 and 'action="/oauth/sign-in"' in page.text
    return front_end, page


def _without_csrf(text: str) -> str:
    return re.sub(r'name="csrf" value="[^"]*"', "", text)


async def test_the_page_is_plain_and_self_contained(client, world, owner_engine):  # type: ignore[no-untyped-def]
    _, page = await _authorize_page(client, world, owner_engine)
    assert page.headers["content-type"] == "text/html; charset=utf-8"
    assert '<html lang="zh-CN">' in page.text and "用户名" in page.text and "密码" in page.text
    assert re.search(r"\b(src|href)=", page.text) is None  # nothing loaded from anywhere
    assert "<script" not in page.text
    assert "default-src 'none'" in page.headers["content-security-policy"]
    assert page.headers["x-frame-options"] == "DENY"
    assert page.headers["cache-control"] == "no-store"


async def test_one_message_for_every_failure(client, world, owner_engine):  # type: ignore[no-untyped-def]
    _, page = await _authorize_page(client, world, owner_engine)
    wrong = await sign_in(client, page, "viewer", "wrong password!")
    unknown = await sign_in(client, page, "no-such-user", PASSWORD)
    passwordless = await sign_in(client, page, "branch-secretary", PASSWORD)
    for failed in (wrong, unknown, passwordless):
        assert failed.status_code == 200 and "pp_session" not in failed.headers.get(
            "set-cookie", ""
        )
        assert "用户名或密码错误" in failed.text
    assert (
        _without_csrf(wrong.text) == _without_csrf(unknown.text) == _without_csrf(passwordless.text)
    )


async def test_repeated_wrong_passwords_lock_the_account(client, world, owner_engine):  # type: ignore[no-untyped-def]
    _, page = await _authorize_page(client, world, owner_engine)
    for _ in range(rules.ACCOUNT_THRESHOLD):
        assert (await sign_in(client, page, "viewer", "wrong password!")).status_code == 200
    locked = await sign_in(client, page, "viewer", PASSWORD)
    assert locked.status_code == 200 and "用户名或密码错误" in locked.text
    assert await scalar(owner_engine, "SELECT count(*) FROM web_sessions") == 0
    entries = await scalar(
        owner_engine, "SELECT count(*) FROM audit_log WHERE operation = 'lockAccount'"
    )
    assert entries == 1
    # The control: before the lock, the right password signs in.
    async with owner_engine.begin() as conn:
        await conn.execute(sa.text("UPDATE user_credentials SET locked_until = NULL, failures = 0"))
    assert (await sign_in(client, page, "viewer", PASSWORD)).status_code == 303


async def test_a_sign_in_sets_a_guarded_session_cookie(client, world, owner_engine):  # type: ignore[no-untyped-def]
    _, page = await _authorize_page(client, world, owner_engine)
    signed_in = await sign_in(client, page, "viewer")
    assert signed_in.status_code == 303
    assert signed_in.headers["location"].startswith("/oauth/authorize?response_type=code")
    cookie = next(
        c for c in signed_in.headers.get_list("set-cookie") if c.startswith("pp_session=")
    )
    attributes = {part.strip().lower() for part in cookie.split(";")[1:]}
    assert {"httponly", "samesite=lax", "path=/oauth", "max-age=28800"} <= attributes
    assert "secure" not in attributes  # development; production sets it (below)
    value = cookie.split(";")[0].split("=", 1)[1]
    stored = await scalar(owner_engine, "SELECT encode(id_hash, 'hex') FROM web_sessions")
    assert value not in stored and len(stored) == 64


async def test_production_cookies_are_secure(world, owner_engine, platform):  # type: ignore[no-untyped-def]
    import httpx

    from partyplan.server.app import create_app
    from partyplan.server.platform import Platform

    settings = platform.settings.model_copy(update={"environment": "production"})
    production = Platform(settings, migrate=False)
    await production.start()
    try:
        app = create_app(production, manage_platform=False)
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="https://test") as http:
            _, page = await _authorize_page(http, world, owner_engine)
            assert "secure" in page.headers["set-cookie"].lower()  # the CSRF cookie
            signed_in = await sign_in(http, page, "viewer")
            cookie = next(
                c for c in signed_in.headers.get_list("set-cookie") if c.startswith("pp_session=")
            )
            assert "secure" in cookie.lower()
    finally:
        await production.stop()


async def test_an_expired_session_asks_to_sign_in_again(client, world, owner_engine):  # type: ignore[no-untyped-def]
    front_end, page = await _authorize_page(client, world, owner_engine)
    signed_in = await sign_in(client, page, "viewer")
    assert "授权确认" in (await client.get(signed_in.headers["location"])).text
    async with owner_engine.begin() as conn:
        await conn.execute(sa.text("UPDATE web_sessions SET expires_at = now()"))
    again = await client.get(signed_in.headers["location"])
    assert 'action="/oauth/sign-in"' in again.text


async def test_sign_out_ends_the_session(client, world, owner_engine):  # type: ignore[no-untyped-def]
    _, page = await _authorize_page(client, world, owner_engine)
    location = (await sign_in(client, page, "viewer")).headers["location"]
    consent_page = await client.get(location)
    form = {"csrf": hidden(consent_page.text, "csrf"), "query": ""}
    refused = await client.post("/oauth/sign-out", data={"query": ""})
    assert refused.status_code == 403
    assert "授权确认" in (await client.get(location)).text  # still signed in
    signed_out = await client.post("/oauth/sign-out", data=form)
    assert signed_out.status_code == 200 and "已退出登录" in signed_out.text
    assert (
        await scalar(owner_engine, "SELECT count(*) FROM web_sessions WHERE ended_at IS NULL") == 0
    )
    assert 'action="/oauth/sign-in"' in (await client.get(location)).text


# --- CSRF ---------------------------------------------------------------------------------------


async def _forged(client, url: str, form: dict[str, str]):  # type: ignore[no-untyped-def]
    """The same form without a token, with a wrong one, and with another browser's token."""
    answers = [
        await client.post(url, data={k: v for k, v in form.items() if k != "csrf"}),
        await client.post(url, data=form | {"csrf": "forged"}),
        await client.post(url, data=form | {"csrf": form["csrf"][:-2] + "AA"}),
    ]
    jar = client.cookies
    client.cookies = {k: v for k, v in jar.items() if k != "pp_csrf"}  # no CSRF cookie at all
    answers.append(await client.post(url, data=form))
    client.cookies = jar
    return answers


async def test_a_sign_in_without_its_csrf_token_is_refused(client, world, owner_engine):  # type: ignore[no-untyped-def]
    _, page = await _authorize_page(client, world, owner_engine)
    form = {
        "csrf": hidden(page.text, "csrf"),
        "query": hidden(page.text, "query"),
        "username": "viewer",
        "password": PASSWORD,
    }
    for refused in await _forged(client, "/oauth/sign-in", form):
        assert refused.status_code == 403 and "location" not in refused.headers
    assert await scalar(owner_engine, "SELECT count(*) FROM web_sessions") == 0
    wrong = form | {"password": "wrong password!"}
    for refused in await _forged(client, "/oauth/sign-in", wrong):
        assert refused.status_code == 403
    assert await scalar(owner_engine, "SELECT failures FROM user_credentials") == 0
    assert (await client.post("/oauth/sign-in", data=form)).status_code == 303  # the control


async def test_a_consent_without_its_csrf_token_is_refused(client, world, owner_engine):  # type: ignore[no-untyped-def]
    _, page = await _authorize_page(client, world, owner_engine)
    page = await client.get((await sign_in(client, page, "viewer")).headers["location"])
    form = {
        "csrf": hidden(page.text, "csrf"),
        "query": hidden(page.text, "query"),
        "decision": "approve",
    }
    for refused in await _forged(client, "/oauth/authorize", form):
        assert refused.status_code == 403 and "location" not in refused.headers
    assert await scalar(owner_engine, "SELECT count(*) FROM oauth_grants") == 0
    assert (await consent(client, page)).status_code == 303  # the control


async def test_a_password_change_without_its_csrf_token_is_refused(client, world, owner_engine):  # type: ignore[no-untyped-def]
    front_end = await create_front_end(owner_engine, world.units["A"])
    await set_password(owner_engine, world.users["viewer"], must_change=True)
    _, challenge = pkce()
    page = await client.get(authorize_url(front_end, challenge))
    page = await client.get((await sign_in(client, page, "viewer")).headers["location"])
    form = {
        "csrf": hidden(page.text, "csrf"),
        "query": hidden(page.text, "query"),
        "current": PASSWORD,
        "new": "a brand new password",
        "repeat": "a brand new password",
    }
    before = await scalar(owner_engine, "SELECT password_hash FROM user_credentials")
    for refused in await _forged(client, "/oauth/password", form):
        assert refused.status_code == 403
    assert await scalar(owner_engine, "SELECT password_hash FROM user_credentials") == before
    assert (await client.post("/oauth/password", data=form)).status_code == 303  # the control
    assert await scalar(owner_engine, "SELECT password_hash FROM user_credentials") != before
