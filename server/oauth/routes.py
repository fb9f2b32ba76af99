"""The routes of the doors, as ``server/app.py`` mounts them."""

from __future__ import annotations

from starlette.routing import Route

from ..platform import Platform
from .api import Endpoints
from .csrf import Csrf
from .upstream import routes as upstream_routes
from .web import Pages


def routes(platform: Platform) -> list[Route]:
    csrf = Csrf(platform.keys.signing_key, secure=platform.settings.is_production)
    pages = Pages(platform, csrf)
    endpoints = Endpoints(platform)
    return [
        Route("/oauth/authorize", pages.authorize, methods=["GET", "POST"]),
        Route("/oauth/sign-in", pages.sign_in, methods=["GET", "POST"]),
        Route("/oauth/password", pages.password, methods=["GET", "POST"]),
        Route("/oauth/sign-out", pages.sign_out, methods=["POST"]),
        # Only where the province's identity provider is configured (oidc_issuer).
        *upstream_routes(platform, csrf),
        Route("/oauth/token", endpoints.token, methods=["POST"]),
        Route("/oauth/revoke", endpoints.revoke, methods=["POST"]),
        Route("/oauth/introspect", endpoints.introspect, methods=["POST"]),
        Route("/.well-known/oauth-authorization-server", endpoints.metadata, methods=["GET"]),
    ]
