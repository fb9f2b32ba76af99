"""Signing in through a province's own identity provider (OpenID Connect): the whole flow against
a real provider on a loopback port, who is signed in (and who is not), the state's single use,
the provider's refusals and absence, and the feature switched off."""

from __future__ import annotations

import asyncio
import re

import pytest
import sqlalchemy as sa
import support_upstream
from pydantic import ValidationError
from support import scalar
from support_oauth import FrontEnd, consent, create_front_end, create_service, hidden, set_password
from support_upstream import (
    Flow,
    TestProvider,
    create_person,
    free_port,
    platform_client,
    serving,
    upstream_settings,
)

from partyplan.server.settings import Settings

provider = support_upstream.provider  # fixtures
upstream = support_upstream.upstream

NO_ACCOUNT = "本系统中没有与之对应的可用账号"
EXPIRED = "登录请求已失效或已经使用"


def _without_tokens(text: str) -> str:
    """The page less its CSRF token and the carried request (each flow has its own PKCE)."""
    return re.sub(r'name="(csrf|query)" value="[^"]*"', "", text)


async def _sessions(owner_engine) -> int:  # type: ignore[no-untyped-def]
    return await scalar(owner_engine, "SELECT count(*) FROM web_sessions")


@pytest.fixture
async def front_end(owner_engine, world) -> FrontEnd:  # type: ignore[no-untyped-def]
    return await create_front_end(owner_engine, world.units["A"])


def _pending_cookie(http) -> str:  # type: ignore[no-untyped-def]
    values = [c.value for c in http.cookies.jar if c.name == "pp_upstream"]
    assert len(values) == 1
    return values[0]


async def test_a_person_signs_in_through_the_provider_and_reaches_consent(
    front_end,  # type: ignore[no-untyped-def]
    upstream,
    provider: TestProvider,
    world,
    owner_engine,
) -> None:
    # An initial password still to change: the provider's word is enough, nothing is asked.
    await set_password(owner_engine, world.users["viewer"], must_change=True)
    provider.person = {"sub": "p-1", "preferred_username": "viewer"}
    flow = Flow(upstream, front_end)
    page = await flow.sign_in_page()
    assert 'action="/oauth/upstream/start"' in page.text and "使用省统一身份认证登录" in page.text

    back = await flow.come_back()
    assert back.status_code == 303, back.text
    assert back.headers["location"] == "/oauth/authorize?" + hidden(page.text, "query")
    cookies = back.headers.get_list("set-cookie")
    assert any(c.startswith("pp_session=") and "httponly" in c.lower() for c in cookies)
    assert any(c.startswith("pp_upstream=") and "max-age=0" in c.lower() for c in cookies)
    row = await scalar(
        owner_engine,
        "SELECT json_build_array(user_id, must_change_password) FROM web_sessions",
    )
    assert row == [world.users["viewer"], False]

    consent_page = await upstream.get(back.headers["location"])
    assert consent_page.status_code == 200 and "授权确认" in consent_page.text
    assert "viewer" in consent_page.text
    approved = await consent(upstream, consent_page)
    assert approved.status_code == 303
    assert approved.headers["location"].startswith(flow.front_end.redirect_uri + "?code=")
    # One exchange at the provider, with our secret, the code and the right PKCE verifier
    # (the provider checks each), and the keys fetched once.
    assert provider.token_requests == 1 and provider.jwks_requests == 1
    assert provider.userinfo_requests == 0


async def test_the_claim_may_come_from_userinfo(front_end, upstream, provider, world, owner_engine):  # type: ignore[no-untyped-def]
    provider.person = {"sub": "p-2"}
    provider.userinfo_claims = {"sub": "p-2", "preferred_username": "viewer"}
    back = await Flow(upstream, front_end).come_back()
    assert back.status_code == 303 and provider.userinfo_requests == 1
    # Userinfo about another subject than the ID token's is not believed.
    provider.userinfo_claims = {"sub": "someone-else", "preferred_username": "viewer"}
    refused = await Flow(upstream, front_end).come_back()
    assert refused.status_code == 502 and "登录结果无法验证" in refused.text
    assert await _sessions(owner_engine) == 1


async def test_usernames_match_without_regard_to_ascii_case(
    front_end, upstream, provider, world, owner_engine
):  # type: ignore[no-untyped-def]
    kelvin = await create_person(owner_engine, "kelvin", world.units["A"])
    provider.person = {"sub": "p-3", "preferred_username": "KELVIN"}
    back = await Flow(upstream, front_end).come_back()
    assert back.status_code == 303
    user = await scalar(owner_engine, "SELECT user_id FROM web_sessions")
    assert user == kelvin
    # The Kelvin sign lower-cases to "k" in Python: another person at the provider, refused.
    provider.person = {"sub": "p-4", "preferred_username": "\u212aelvin"}
    refused = await Flow(upstream, front_end).come_back()
    assert refused.status_code == 200 and NO_ACCOUNT in refused.text
    assert await _sessions(owner_engine) == 1


async def test_one_message_for_every_claim_that_names_no_active_person(
    front_end,  # type: ignore[no-untyped-def]
    upstream,
    provider,
    world,
    owner_engine,
) -> None:
    service = await create_service(owner_engine, world.units["A"])
    service_name = await scalar(
        owner_engine, "SELECT username FROM users WHERE id = :id", id=service.user_id
    )
    async with owner_engine.begin() as conn:
        await conn.execute(
            sa.text("UPDATE users SET active = false WHERE id = :id"), {"id": world.users["nobody"]}
        )
    pages = {}
    for case, claims in {
        "unknown": {"sub": "p-5", "preferred_username": "no-such-person"},
        "deactivated": {"sub": "p-6", "preferred_username": "nobody"},
        "service": {"sub": "p-7", "preferred_username": service_name},
        "no claim": {"sub": "p-8"},
    }.items():
        provider.person = claims
        provider.userinfo_claims = {"sub": claims["sub"]}
        page = await Flow(upstream, front_end).come_back()
        assert page.status_code == 200 and NO_ACCOUNT in page.text, (case, page.text)
        pages[case] = _without_tokens(page.text)
    assert len(set(pages.values())) == 1
    assert await _sessions(owner_engine) == 0
    # The control: an active person is signed in by the same flow.
    provider.person = {"sub": "p-9", "preferred_username": "viewer"}
    assert (await Flow(upstream, front_end).come_back()).status_code == 303


async def test_an_answer_with_another_state_is_refused(
    front_end, upstream, provider, world, owner_engine
):  # type: ignore[no-untyped-def]
    provider.person = {"sub": "p-1", "preferred_username": "viewer"}
    flow = Flow(upstream, front_end)
    callback = await flow.to_provider()
    forged = re.sub(r"state=[^&]*", "state=someone-elses-state", callback)
    refused = await flow.come_back(forged)
    assert refused.status_code == 400 and EXPIRED in refused.text
    assert provider.token_requests == 0 and await _sessions(owner_engine) == 0
    # The refusal used the pending sign-in up: the real answer, after it, starts over too.
    assert (await flow.come_back(callback)).status_code == 400
    # Without any pending sign-in (another browser), the answer is refused alike.
    upstream.cookies.clear()
    assert (await flow.come_back(callback)).status_code == 400
    assert provider.token_requests == 0


async def test_a_callback_is_good_once(front_end, upstream, provider, world, owner_engine):  # type: ignore[no-untyped-def]
    provider.person = {"sub": "p-1", "preferred_username": "viewer"}
    provider.reuse_codes = True  # a sloppy provider: our own guard must hold
    flow = Flow(upstream, front_end)
    callback = await flow.to_provider()
    pending = _pending_cookie(upstream)
    assert (await flow.come_back(callback)).status_code == 303
    # The browser's pending cookie is gone; a thief replaying the cookie and the answer gets
    # nothing, and the provider is not even asked.
    assert not [c for c in upstream.cookies.jar if c.name == "pp_upstream"]
    upstream.cookies.clear()
    replayed = await upstream.get(callback, headers={"cookie": f"pp_upstream={pending}"})
    assert replayed.status_code == 400 and EXPIRED in replayed.text
    assert "pp_session=" not in replayed.headers.get("set-cookie", "")
    assert provider.token_requests == 1 and await _sessions(owner_engine) == 1


async def test_two_copies_of_a_callback_at_once_make_one_session(
    front_end,  # type: ignore[no-untyped-def]
    upstream,
    provider,
    world,
    owner_engine,
) -> None:
    provider.person = {"sub": "p-1", "preferred_username": "viewer"}
    provider.reuse_codes = True
    flow = Flow(upstream, front_end)
    callback = await flow.to_provider()
    pending = _pending_cookie(upstream)
    upstream.cookies.clear()
    answers = await asyncio.gather(
        *(upstream.get(callback, headers={"cookie": f"pp_upstream={pending}"}) for _ in range(2))
    )
    assert sorted(a.status_code for a in answers) == [303, 400]
    assert await _sessions(owner_engine) == 1


@pytest.mark.parametrize(
    ("error", "status", "message"),
    [("access_denied", 200, "已取消通过省统一身份认证登录"), ("server_error", 200, "未能完成登录")],
)
async def test_the_providers_refusal(
    front_end, upstream, provider, world, owner_engine, error, status, message
):  # type: ignore[no-untyped-def]
    provider.error = error
    flow = Flow(upstream, front_end)
    page = await flow.come_back()
    assert page.status_code == status and message in page.text
    # Back on the sign-in page, the pending request kept: the password form still works.
    assert hidden(page.text, "query") == hidden(flow.page.text, "query")
    assert 'action="/oauth/sign-in"' in page.text
    assert provider.token_requests == 0 and await _sessions(owner_engine) == 0


async def test_a_provider_that_cannot_be_reached(front_end, platform, world, owner_engine):  # type: ignore[no-untyped-def]
    settings = upstream_settings(platform, f"http://127.0.0.1:{free_port()}")  # nobody there
    async with platform_client(platform, settings) as http:
        started = await Flow(http, front_end).start()
    assert started.status_code == 502 and "暂时无法使用" in started.text
    assert 'action="/oauth/sign-in"' in started.text


async def test_a_provider_gone_before_the_answer_is_exchanged(
    front_end, platform, world, owner_engine
):  # type: ignore[no-untyped-def]
    port = free_port()
    provider = TestProvider(issuer=f"http://127.0.0.1:{port}")
    provider.person = {"sub": "p-1", "preferred_username": "viewer"}
    async with platform_client(platform, upstream_settings(platform, provider.issuer)) as http:
        flow = Flow(http, front_end)
        async with serving(provider.app(), port):
            callback = await flow.to_provider()
        page = await flow.come_back(callback)
    assert page.status_code == 502 and "暂时无法使用" in page.text
    assert await _sessions(owner_engine) == 0


async def test_a_provider_too_slow_to_answer(front_end, platform, provider, world, owner_engine):  # type: ignore[no-untyped-def]
    provider.person = {"sub": "p-1", "preferred_username": "viewer"}
    provider.token_delay = 1
    settings = upstream_settings(platform, provider.issuer, oidc_timeout_seconds=0.2)
    async with platform_client(platform, settings) as http:
        page = await Flow(http, front_end).come_back()
    assert page.status_code == 502 and "暂时无法使用" in page.text
    assert await _sessions(owner_engine) == 0


async def test_switched_off_there_is_no_button_and_no_route(front_end, client, world, owner_engine):  # type: ignore[no-untyped-def]
    flow = Flow(client, front_end)
    page = await flow.sign_in_page()
    assert "/oauth/upstream" not in page.text
    assert (await flow.start()).status_code == 404
    assert (await client.get("/oauth/upstream/callback?code=a&state=b")).status_code == 404


def test_the_settings_are_checked_at_start() -> None:
    Settings(oidc_issuer="https://idp.example.gov.cn/", oidc_client_id="pp")  # the control
    assert Settings(oidc_issuer="", oidc_client_id="").oidc_enabled is False
    for wrong in (
        {"oidc_issuer": "http://idp.example.gov.cn", "oidc_client_id": "pp"},  # not https
        {"oidc_issuer": "https://idp.example.gov.cn?x=1", "oidc_client_id": "pp"},
        {"oidc_issuer": "https://idp.example.gov.cn"},  # no client id
        {"oidc_issuer": "https://idp.example.gov.cn", "oidc_client_id": "pp", "oidc_scope": "x"},
        {"oidc_display_name": ""},
    ):
        with pytest.raises(ValidationError):
            Settings(**wrong)
