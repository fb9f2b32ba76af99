"""Factories and flows of the OAuth2 doors' tests.

Clients are written straight into the database as the owner (no dependency on the GraphQL
registry); the flows drive the real pages and endpoints over ASGI, as a browser and a client
would: the authorization request, the sign-in form, the consent form, the token endpoint.
"""

from __future__ import annotations

import base64
import hashlib
import html
import re
import secrets
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

import httpx
import sqlalchemy as sa
from argon2 import PasswordHasher
from sqlalchemy.ext.asyncio import AsyncEngine

from partyplan.auth import client_secrets

REDIRECT = "https://app.example.edu/callback"
PASSWORD = "correct horse battery"
ME = "{ me { user { username } } }"


@dataclass(frozen=True)
class FrontEnd:
    pk: int
    client_id: str
    redirect_uri: str


@dataclass(frozen=True)
class Service:
    pk: int
    client_id: str
    secret: str
    user_id: int

    @property
    def basic(self) -> httpx.BasicAuth:
        return httpx.BasicAuth(self.client_id, self.secret)


async def _insert_client(conn: Any, **values: Any) -> int:
    values.setdefault("cost_budget", 1000)
    values.setdefault("requests_per_minute", 600)
    columns = ", ".join(values)
    params = ", ".join(f":{name}" for name in values)
    return await conn.scalar(
        sa.text(
            f"INSERT INTO oauth_clients ({columns}, unit_path, school_id)"
            f" SELECT {params}, path, school_id FROM units WHERE id = :unit_id RETURNING id"
        ),
        values,
    )


async def create_front_end(
    owner_engine: AsyncEngine,
    unit_id: int,
    *,
    client_id: str = "front-end",
    name: str = "发展党员工作平台",
    redirect_uris: tuple[str, ...] = (REDIRECT,),
    allowed_scopes: tuple[str, ...] = ("read", "record"),
    active: bool = True,
) -> FrontEnd:
    async with owner_engine.begin() as conn:
        pk = await _insert_client(
            conn,
            client_id=client_id,
            name=name,
            kind="front_end",
            redirect_uris=list(redirect_uris),
            allowed_scopes=list(allowed_scopes),
            unit_id=unit_id,
            active=active,
        )
    return FrontEnd(pk, client_id, redirect_uris[0] if redirect_uris else "")


async def create_service(
    owner_engine: AsyncEngine,
    unit_id: int,
    *,
    client_id: str = "sync-service",
    role: str = "viewer",
    allowed_scopes: tuple[str, ...] = ("read", "sync"),
    active: bool = True,
) -> Service:
    """A confidential client with its own account (``users.kind = 'service'``) holding ``role``
    at ``unit_id``."""
    secret = client_secrets.new_secret()
    async with owner_engine.begin() as conn:
        user_id = await conn.scalar(
            sa.text(
                "INSERT INTO users (username, display_name, home_unit_id, home_path, school_id,"
                " kind) SELECT :u, :u, id, path, school_id, 'service' FROM units WHERE id = :unit"
                " RETURNING id"
            ),
            {"u": f"svc-{client_id}", "unit": unit_id},
        )
        await conn.execute(
            sa.text(
                "INSERT INTO role_bindings (user_id, role, unit_id, unit_path, school_id)"
                " SELECT :user, :role, id, path, school_id FROM units WHERE id = :unit"
            ),
            {"user": user_id, "role": role, "unit": unit_id},
        )
        pk = await _insert_client(
            conn,
            client_id=client_id,
            name=f"服务 {client_id}",
            kind="service",
            secret_hash=client_secrets.digest(secret),
            allowed_scopes=list(allowed_scopes),
            unit_id=unit_id,
            service_user_id=user_id,
            active=active,
        )
    return Service(pk, client_id, secret, user_id)


async def set_password(
    owner_engine: AsyncEngine, user_id: int, password: str = PASSWORD, *, must_change: bool = False
) -> None:
    async with owner_engine.begin() as conn:
        await conn.execute(
            sa.text(
                "INSERT INTO user_credentials (user_id, password_hash, must_change, set_at)"
                " VALUES (:u, :h, :m, now())"
            ),
            {"u": user_id, "h": PasswordHasher().hash(password), "m": must_change},
        )


# --- PKCE and the browser's side -------------------------------------------------------------


def pkce() -> tuple[str, str]:
    """A code verifier and its S256 challenge (RFC 7636 section 4)."""
    verifier = secrets.token_urlsafe(48)
    digest = hashlib.sha256(verifier.encode("ascii")).digest()
    return verifier, base64.urlsafe_b64encode(digest).decode("ascii").rstrip("=")


def authorize_url(front_end: FrontEnd, challenge: str, **overrides: str | None) -> str:
    params: dict[str, str | None] = {
        "response_type": "code",
        "client_id": front_end.client_id,
        "redirect_uri": front_end.redirect_uri,
        "scope": "read record",
        "state": "xyz-state-42",
        "code_challenge": challenge,
        "code_challenge_method": "S256",
    }
    params |= overrides
    return "/oauth/authorize?" + urlencode({k: v for k, v in params.items() if v is not None})


def hidden(page: str, name: str) -> str:
    match = re.search(rf'name="{name}" value="([^"]*)"', page)
    assert match is not None, f"no hidden field {name} in the page"
    return html.unescape(match.group(1))


def redirect_params(response: httpx.Response) -> dict[str, str]:
    location = response.headers["location"]
    return {k: v[0] for k, v in parse_qs(urlsplit(location).query).items()}


async def sign_in(
    http: httpx.AsyncClient, page: httpx.Response, username: str, password: str = PASSWORD
) -> httpx.Response:
    """Submit the sign-in form ``page`` shows."""
    form = {
        "csrf": hidden(page.text, "csrf"),
        "query": hidden(page.text, "query"),
        "username": username,
        "password": password,
    }
    return await http.post("/oauth/sign-in", data=form)


async def consent(
    http: httpx.AsyncClient, page: httpx.Response, decision: str = "approve"
) -> httpx.Response:
    form = {
        "csrf": hidden(page.text, "csrf"),
        "query": hidden(page.text, "query"),
        "decision": decision,
    }
    return await http.post("/oauth/authorize", data=form)


async def code_for(
    http: httpx.AsyncClient,
    front_end: FrontEnd,
    username: str,
    challenge: str,
    **overrides: str | None,
) -> str:
    """The whole browser side: authorization request, sign-in, consent; returns the code."""
    page = await http.get(authorize_url(front_end, challenge, **overrides))
    assert page.status_code == 200 and 'action="/oauth/sign-in"' in page.text, page.text
    signed_in = await sign_in(http, page, username)
    assert signed_in.status_code == 303, signed_in.text
    page = await http.get(signed_in.headers["location"])
    assert page.status_code == 200 and "授权确认" in page.text, page.text
    approved = await consent(http, page)
    assert approved.status_code == 303, approved.text
    return redirect_params(approved)["code"]


async def exchange(
    http: httpx.AsyncClient,
    front_end: FrontEnd,
    code: str,
    verifier: str | None,
    **overrides: str | None,
) -> httpx.Response:
    form: dict[str, str | None] = {
        "grant_type": "authorization_code",
        "code": code,
        "redirect_uri": front_end.redirect_uri,
        "client_id": front_end.client_id,
        "code_verifier": verifier,
    }
    form |= overrides
    return await http.post("/oauth/token", data={k: v for k, v in form.items() if v is not None})


async def tokens_for(
    http: httpx.AsyncClient, front_end: FrontEnd, username: str, **overrides: str | None
) -> dict[str, Any]:
    """Code + PKCE → tokens, through every page; the token response's JSON."""
    verifier, challenge = pkce()
    code = await code_for(http, front_end, username, challenge, **overrides)
    response = await exchange(http, front_end, code, verifier)
    assert response.status_code == 200, response.text
    return response.json()


async def refresh(
    http: httpx.AsyncClient, front_end: FrontEnd, refresh_token: str, **extra: str
) -> httpx.Response:
    form = {
        "grant_type": "refresh_token",
        "refresh_token": refresh_token,
        "client_id": front_end.client_id,
        **extra,
    }
    return await http.post("/oauth/token", data=form)


async def service_token(
    http: httpx.AsyncClient, service: Service, scope: str | None = None
) -> httpx.Response:
    form = {"grant_type": "client_credentials"}
    if scope is not None:
        form["scope"] = scope
    return await http.post("/oauth/token", data=form, auth=service.basic)


async def graphql(http: httpx.AsyncClient, query: str, token: str) -> dict[str, Any]:
    response = await http.post(
        "/graphql", json={"query": query}, headers={"Authorization": f"Bearer {token}"}
    )
    assert response.status_code == 200, response.text
    return response.json()
