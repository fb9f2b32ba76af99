"""The provider's ID token and metadata, believed only when they hold: issuer, audience, expiry,
nonce, signature by a published key with an algorithm on our list; keys fetched again on a
rotation, but not on every unknown ``kid``; metadata that names another issuer, no algorithm we
accept, insecure endpoints or no client secret method is no provider at all."""

from __future__ import annotations

from typing import Any

import pytest
import support_upstream
from joserfc.jwk import RSAKey
from support import scalar
from support_oauth import FrontEnd, create_front_end
from support_upstream import CLIENT_ID, Flow, TestProvider, platform_client, upstream_settings

provider = support_upstream.provider  # fixtures
upstream = support_upstream.upstream

UNVERIFIED = "登录结果无法验证"
UNAVAILABLE = "暂时无法使用"
VIEWER = {"sub": "p-1", "preferred_username": "viewer"}


@pytest.fixture
async def front_end(owner_engine, world) -> FrontEnd:  # type: ignore[no-untyped-def]
    return await create_front_end(owner_engine, world.units["A"])


def _with(**values: Any):  # type: ignore[no-untyped-def]
    """A bend setting claims (None: leaving one out); a callable value is given the claims."""

    def bend(claims: dict[str, Any]) -> dict[str, Any]:
        return claims | {k: v(claims) if callable(v) else v for k, v in values.items()}

    return bend


#: name -> (what the provider does, whether we sign the person in)
CASES: dict[str, tuple[dict[str, Any], bool]] = {
    "as issued (the control)": ({}, True),
    "several audiences, azp ours": ({"bend": _with(aud=[CLIENT_ID, "x"], azp=CLIENT_ID)}, True),
    "another issuer": ({"bend": _with(iss="https://idp.other.example")}, False),
    "another audience": ({"bend": _with(aud="another-client")}, False),
    "several audiences, no azp": ({"bend": _with(aud=[CLIENT_ID, "x"])}, False),
    "azp of another client": ({"bend": _with(azp="another-client")}, False),
    "expired": (
        {"bend": _with(exp=lambda c: c["iat"] - 3600, iat=lambda c: c["iat"] - 7200)},
        False,
    ),
    "issued in the future": ({"bend": _with(iat=lambda c: c["iat"] + 3600)}, False),
    "no exp": ({"bend": _with(exp=None)}, False),
    "no iat": ({"bend": _with(iat=None)}, False),
    "no sub": ({"bend": _with(sub=None)}, False),
    "another nonce": ({"bend": _with(nonce="another-sign-in's-nonce")}, False),
    "no nonce": ({"bend": _with(nonce=None)}, False),
    "the nonce among others": ({"bend": _with(nonce=lambda c: [c["nonce"], "x"])}, False),
    "signed by a key nobody published": ({"signing": "rogue"}, False),
    "alg none, advertised": (
        {
            "signing": "none",
            "metadata_changes": {"id_token_signing_alg_values_supported": ["RS256", "none"]},
        },
        False,
    ),
    "HS256 keyed with our secret, advertised": (
        {
            "signing": "hs256",
            "metadata_changes": {"id_token_signing_alg_values_supported": ["RS256", "HS256"]},
        },
        False,
    ),
    "RS256 not advertised": (
        {"metadata_changes": {"id_token_signing_alg_values_supported": ["ES256"]}},
        False,
    ),
    "a jku header": ({"extra_header": {"jku": "https://idp.other.example/jwks"}}, False),
    "a crit header": ({"extra_header": {"crit": ["exp"]}}, False),
    "not a JWT": ({"signing": "garbage"}, False),
}


@pytest.mark.parametrize("case", CASES.keys())
async def test_the_id_token(upstream, provider: TestProvider, front_end, owner_engine, case):  # type: ignore[no-untyped-def]
    changes, accepted = CASES[case]
    provider.person = dict(VIEWER)
    for name, value in changes.items():
        setattr(provider, name, value)
    page = await Flow(upstream, front_end).come_back()
    sessions = await scalar(owner_engine, "SELECT count(*) FROM web_sessions")
    if accepted:
        assert page.status_code == 303 and sessions == 1, page.text
    else:
        assert page.status_code == 502 and UNVERIFIED in page.text, page.text
        assert sessions == 0 and provider.token_requests == 1


async def test_a_rotated_key_is_fetched_but_not_every_unknown_one(  # type: ignore[no-untyped-def]
    upstream, provider: TestProvider, front_end, owner_engine
) -> None:
    provider.person = dict(VIEWER)
    assert (await Flow(upstream, front_end).come_back()).status_code == 303
    assert provider.jwks_requests == 1
    # The provider rotates its key: the next sign-in fetches the keys again and succeeds.
    provider.key = RSAKey.generate_key(2048, {"kid": "k2"})
    assert (await Flow(upstream, front_end).come_back()).status_code == 303
    assert provider.jwks_requests == 2
    # A kid nobody published, right after: no third fetch within the minute, and refused.
    provider.signing = "rogue"
    page = await Flow(upstream, front_end).come_back()
    assert page.status_code == 502 and UNVERIFIED in page.text
    assert provider.jwks_requests == 2
    # Known keys are not fetched again at all.
    provider.signing = "key"
    assert (await Flow(upstream, front_end).come_back()).status_code == 303
    assert provider.jwks_requests == 2
    assert await scalar(owner_engine, "SELECT count(*) FROM web_sessions") == 3


async def test_the_metadata_is_read_once(upstream, provider, front_end):  # type: ignore[no-untyped-def]
    provider.person = dict(VIEWER)
    for _ in range(2):
        assert (await Flow(upstream, front_end).come_back()).status_code == 303
    # Changed at the provider after it was read: the cached copy stands (for an hour).
    provider.metadata_changes = {"issuer": "https://idp.other.example"}
    assert (await Flow(upstream, front_end).come_back()).status_code == 303


@pytest.mark.parametrize(
    "changes",
    [
        {"issuer": "https://idp.other.example"},
        {"id_token_signing_alg_values_supported": ["HS256", "none"]},
        {"authorization_endpoint": "http://idp.example.gov.cn/authorize"},
        {"token_endpoint": "https://idp.example.gov.cn/token?x=1"},
        {"jwks_uri": None},
        {"token_endpoint_auth_methods_supported": ["private_key_jwt"]},
    ],
    ids=["issuer", "algorithms", "http", "query", "no-jwks", "auth-method"],
)
async def test_metadata_that_cannot_be_trusted(upstream, provider, front_end, changes):  # type: ignore[no-untyped-def]
    provider.metadata_changes = changes
    started = await Flow(upstream, front_end).start()
    assert started.status_code == 502 and UNAVAILABLE in started.text


async def test_the_secret_in_the_body_where_the_provider_takes_only_that(  # type: ignore[no-untyped-def]
    platform, provider, front_end
) -> None:
    provider.person = dict(VIEWER)
    provider.metadata_changes = {"token_endpoint_auth_methods_supported": ["client_secret_post"]}
    async with platform_client(platform, upstream_settings(platform, provider.issuer)) as http:
        assert (await Flow(http, front_end).come_back()).status_code == 303


async def test_another_claim_may_name_the_account(platform, provider, front_end):  # type: ignore[no-untyped-def]
    provider.person = {"sub": "p-1", "preferred_username": "nobody", "employee_id": "viewer"}
    settings = upstream_settings(platform, provider.issuer, oidc_claim="employee_id")
    async with platform_client(platform, settings) as http:
        back = await Flow(http, front_end).come_back()
        assert back.status_code == 303
        page = await http.get(back.headers["location"])
    assert "（viewer）" in page.text
