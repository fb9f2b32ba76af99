"""A small OpenID Connect provider for the tests of signing in through a province's identity
provider (``server/oauth/upstream.py``), served for real on a loopback port by uvicorn in the
test's event loop, and the browser's side of the flow.

The provider is honest by default (discovery, an authorization endpoint that approves the
configured person at once, a token endpoint that checks the client's secret, the code, its
redirect URI and the PKCE verifier and issues an RS256 ID token with the nonce, JWKS,
userinfo); each test bends one thing: the claims, the signing key or algorithm, a header, the
metadata, a refusal, or a sloppy acceptance of a code already used.
"""

from __future__ import annotations

import asyncio
import base64
import copy
import hashlib
import json
import secrets
import socket
import time
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl, unquote_plus, urlencode, urlsplit

import httpx
import pytest
import sqlalchemy as sa
import uvicorn
from cryptography.hazmat.primitives.asymmetric.padding import PKCS1v15
from cryptography.hazmat.primitives.hashes import SHA256
from joserfc import jwt
from joserfc.jwk import OctKey, RSAKey
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response
from starlette.routing import Route
from support_oauth import FrontEnd, authorize_url, hidden, pkce

from partyplan.server.app import create_app
from partyplan.server.platform import Platform
from partyplan.server.settings import Settings

CLIENT_ID = "partyplan-test"
CLIENT_SECRET = "a provider's secret for us"
#: Where the platform under test says it lives (``public_url``'s default).
CALLBACK = "http://localhost:8000/oauth/upstream/callback"

Claims = dict[str, Any]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@asynccontextmanager
async def serving(app: Any, port: int) -> AsyncIterator[None]:
    """``app`` on 127.0.0.1:``port`` until the block ends."""
    server = uvicorn.Server(
        uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="off")
    )
    task = asyncio.create_task(server.serve())
    try:
        for _ in range(500):  # uvicorn offers no event to wait on; 10 s at most
            if server.started:
                break
            await asyncio.sleep(0.02)
        else:
            raise RuntimeError(f"the server on port {port} did not start")
        yield
    finally:
        server.should_exit = True
        await task


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode("ascii").rstrip("=")


@dataclass
class TestProvider:
    __test__ = False  # not a test class, whatever pytest thinks of its name

    issuer: str
    #: The person the authorization endpoint approves: the ID token's claims about them.
    person: Claims = field(default_factory=lambda: {"sub": "p-1001"})
    key: RSAKey = field(default_factory=lambda: RSAKey.generate_key(2048, {"kid": "k1"}))
    #: The keys the JWKS endpoint publishes (default: ``key`` alone).
    published: list[RSAKey] | None = None
    #: How the ID token is signed: "key", "rogue" (a key nobody published), "none", "hs256"
    #: (keyed with our client secret), or "garbage" (not a JWT at all).
    signing: str = "key"
    #: Changes the ID token's claims just before signing.
    bend: Callable[[Claims], Claims] | None = None
    extra_header: dict[str, Any] = field(default_factory=dict)
    metadata_changes: dict[str, Any] = field(default_factory=dict)
    #: Answer the authorization request with this error instead of a code.
    error: str | None = None
    #: Exchange a code again (a sloppy provider): our own guard must hold.
    reuse_codes: bool = False
    #: The token endpoint's answer, replaced (status, body).
    token_answer: tuple[int, str] | None = None
    #: Seconds the token endpoint takes before answering.
    token_delay: float = 0
    userinfo_claims: Claims | None = None
    codes: dict[str, dict[str, Any]] = field(default_factory=dict)
    spent: set[str] = field(default_factory=set)
    token_requests: int = 0
    jwks_requests: int = 0
    userinfo_requests: int = 0

    # --- the endpoints ------------------------------------------------------------------

    def app(self) -> Starlette:
        return Starlette(
            routes=[
                Route("/.well-known/openid-configuration", self._metadata),
                Route("/authorize", self._authorize),
                Route("/token", self._token, methods=["POST"]),
                Route("/jwks", self._jwks),
                Route("/userinfo", self._userinfo),
            ]
        )

    def metadata(self) -> dict[str, Any]:
        document = {
            "issuer": self.issuer,
            "authorization_endpoint": f"{self.issuer}/authorize",
            "token_endpoint": f"{self.issuer}/token",
            "jwks_uri": f"{self.issuer}/jwks",
            "userinfo_endpoint": f"{self.issuer}/userinfo",
            "response_types_supported": ["code"],
            "subject_types_supported": ["public"],
            "id_token_signing_alg_values_supported": ["RS256"],
            "token_endpoint_auth_methods_supported": ["client_secret_basic"],
            "code_challenge_methods_supported": ["S256"],
        }
        document.update(self.metadata_changes)
        return {k: v for k, v in document.items() if v is not None}

    async def _metadata(self, request: Request) -> Response:
        return JSONResponse(self.metadata())

    async def _authorize(self, request: Request) -> Response:
        q = request.query_params
        if q.get("client_id") != CLIENT_ID or q.get("redirect_uri") != CALLBACK:
            return Response("unknown client or redirect URI", 400)
        if (
            q.get("response_type") != "code"
            or q.get("code_challenge_method") != "S256"
            or "openid" not in q.get("scope", "").split()
            or not q.get("nonce")
            or not q.get("state")
        ):
            return Response("not an OpenID Connect code request with PKCE", 400)
        if self.error is not None:
            answer = {"error": self.error, "state": q["state"]}
            return RedirectResponse(f"{CALLBACK}?{urlencode(answer)}", 302)
        code = secrets.token_urlsafe(16)
        self.codes[code] = {"challenge": q["code_challenge"], "nonce": q["nonce"]}
        answer = {"code": code, "state": q["state"]}
        return RedirectResponse(f"{CALLBACK}?{urlencode(answer)}", 302)

    async def _token(self, request: Request) -> Response:
        self.token_requests += 1
        await asyncio.sleep(self.token_delay)
        if self.token_answer is not None:
            return Response(self.token_answer[1], self.token_answer[0])
        form = dict(parse_qsl((await request.body()).decode()))
        methods = self.metadata()["token_endpoint_auth_methods_supported"]
        basic = _basic_credentials(request.headers.get("authorization", ""))
        posted = (form.get("client_id"), form.get("client_secret"))
        if not (
            ("client_secret_basic" in methods and basic == (CLIENT_ID, CLIENT_SECRET))
            or ("client_secret_post" in methods and posted == (CLIENT_ID, CLIENT_SECRET))
        ):
            return JSONResponse({"error": "invalid_client"}, 401)
        code = str(form.get("code"))
        issued = self.codes.get(code)
        if (
            form.get("grant_type") != "authorization_code"
            or issued is None
            or form.get("redirect_uri") != CALLBACK
            or (code in self.spent and not self.reuse_codes)
        ):
            return JSONResponse({"error": "invalid_grant"}, 400)
        verifier = str(form.get("code_verifier", ""))
        if _b64(hashlib.sha256(verifier.encode()).digest()) != issued["challenge"]:
            return JSONResponse({"error": "invalid_grant", "error_description": "PKCE"}, 400)
        self.spent.add(code)
        access_token = secrets.token_urlsafe(16)
        return JSONResponse(
            {
                "access_token": access_token,
                "token_type": "Bearer",
                "expires_in": 300,
                "id_token": self.id_token(issued["nonce"]),
            }
        )

    async def _jwks(self, request: Request) -> Response:
        self.jwks_requests += 1
        keys = self.published if self.published is not None else [self.key]
        return JSONResponse({"keys": [k.as_dict(private=False) for k in keys]})

    async def _userinfo(self, request: Request) -> Response:
        self.userinfo_requests += 1
        if not request.headers.get("authorization", "").startswith("Bearer "):
            return JSONResponse({"error": "invalid_token"}, 401)
        claims = self.userinfo_claims if self.userinfo_claims is not None else self.person
        return JSONResponse(claims)

    # --- the ID token ---------------------------------------------------------------------

    def id_token(self, nonce: str) -> str:
        now = int(time.time())
        claims: Claims = {
            "iss": self.issuer,
            "aud": CLIENT_ID,
            "iat": now,
            "exp": now + 300,
            "nonce": nonce,
            **copy.deepcopy(self.person),
        }
        if self.bend is not None:
            claims = self.bend(claims)
        claims = {k: v for k, v in claims.items() if v is not None}
        if self.signing == "garbage":
            return "not.a.jwt"
        if self.signing == "none":
            header = {"alg": "none", "typ": "JWT"}
            return f"{_b64(json.dumps(header).encode())}.{_b64(json.dumps(claims).encode())}."
        if self.signing == "hs256":
            secret = OctKey.import_key(CLIENT_SECRET.encode())
            header = {"alg": "HS256", "kid": self.key.kid, **self.extra_header}
            return jwt.encode(header, claims, secret, algorithms=["HS256"])
        key = self.key if self.signing == "key" else RSAKey.generate_key(2048, {"kid": "rogue"})
        header = {"alg": "RS256", "typ": "JWT", "kid": key.kid, **self.extra_header}
        # Signed by hand: joserfc would refuse to write some of the headers tests send.
        signing_input = f"{_b64(json.dumps(header).encode())}.{_b64(json.dumps(claims).encode())}"
        signature = key.private_key.sign(signing_input.encode(), PKCS1v15(), SHA256())
        return f"{signing_input}.{_b64(signature)}"


def _basic_credentials(header: str) -> tuple[str, str] | None:
    """HTTP Basic as RFC 6749 section 2.3.1 has it: each part form-urlencoded first."""
    if not header.startswith("Basic "):
        return None
    user, _, password = base64.b64decode(header[6:]).decode().partition(":")
    return unquote_plus(user), unquote_plus(password)


# --- the platform, configured for the provider -------------------------------------------


def upstream_settings(platform: Platform, issuer: str, **changes: Any) -> Settings:
    values = platform.settings.model_dump() | {
        "oidc_issuer": issuer,
        "oidc_client_id": CLIENT_ID,
        "oidc_client_secret": CLIENT_SECRET,
        "oidc_timeout_seconds": 3,
        **changes,
    }
    return Settings(**values)


def configured_app(platform: Platform, settings: Settings) -> Any:
    """The app under ``settings``, sharing the platform's engine and keys."""
    configured = copy.copy(platform)
    configured.settings = settings
    return create_app(configured, manage_platform=False)


@asynccontextmanager
async def platform_client(
    platform: Platform, settings: Settings
) -> AsyncIterator[httpx.AsyncClient]:
    """The app under ``settings`` over ASGI: the browser's side."""
    transport = httpx.ASGITransport(app=configured_app(platform, settings))
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as http:
        yield http


# --- the browser's side ------------------------------------------------------------------


@dataclass
class Flow:
    """One sign-in through the provider, as a browser goes through it."""

    http: httpx.AsyncClient
    front_end: FrontEnd
    page: httpx.Response | None = None
    callback: str | None = None

    async def sign_in_page(self) -> httpx.Response:
        """The authorization request's sign-in page, in a browser signed in nowhere yet."""
        self.http.cookies.clear()
        _, challenge = pkce()
        self.page = await self.http.get(authorize_url(self.front_end, challenge))
        assert self.page.status_code == 200 and 'action="/oauth/sign-in"' in self.page.text
        return self.page

    async def start(self) -> httpx.Response:
        page = self.page or await self.sign_in_page()
        form = {"csrf": hidden(page.text, "csrf"), "query": hidden(page.text, "query")}
        return await self.http.post("/oauth/upstream/start", data=form)

    async def to_provider(self) -> str:
        """Start, and let the provider answer: the callback's path and query."""
        started = await self.start()
        assert started.status_code == 303, started.text
        async with httpx.AsyncClient() as browser:
            answer = await browser.get(started.headers["location"])
        assert answer.status_code == 302, answer.text
        location = urlsplit(answer.headers["location"])
        assert f"{location.scheme}://{location.netloc}{location.path}" == CALLBACK
        self.callback = f"{location.path}?{location.query}"
        return self.callback

    async def come_back(self, callback: str | None = None) -> httpx.Response:
        callback = callback or self.callback or await self.to_provider()
        return await self.http.get(callback)


async def create_person(owner_engine: Any, username: str, unit_id: int) -> int:
    """An account of a person (no role, no password) with this username."""
    async with owner_engine.begin() as conn:
        return await conn.scalar(
            sa.text(
                "INSERT INTO users (username, display_name, home_unit_id, home_path, school_id)"
                " SELECT :u, :u, id, path, school_id FROM units WHERE id = :unit RETURNING id"
            ),
            {"u": username, "unit": unit_id},
        )


# --- fixtures (imported by the test modules) ---------------------------------------------


@pytest.fixture
async def provider() -> AsyncIterator[TestProvider]:
    """The provider, served on a loopback port for the test."""
    port = free_port()
    served = TestProvider(issuer=f"http://127.0.0.1:{port}")
    async with serving(served.app(), port):
        yield served


@pytest.fixture
async def upstream(platform: Platform, provider: TestProvider) -> AsyncIterator[httpx.AsyncClient]:
    """The browser's client of the platform configured for ``provider``."""
    async with platform_client(platform, upstream_settings(platform, provider.issuer)) as http:
        yield http
