"""The endpoints clients call directly: token (RFC 6749), revocation (RFC 7009), introspection
(RFC 7662), and the server's metadata (RFC 8414).

Parameters must be printable ASCII and each given once (RFC 6749 appendix A and section 3.2);
anything else is ``invalid_request`` before authlib or the database sees it, so hostile input
is a 4xx, never a 500. HTTP Basic credentials that do not decode (base64, then UTF-8) are
``invalid_client`` for the same reason: authlib would raise on them.
"""

from __future__ import annotations

import base64
import binascii
import json
from datetime import UTC, datetime
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from partyplan.auth.scopes import SCOPES

from ..platform import Platform
from ..settings import Settings
from . import door, forms
from .authorization import DoorServer, Doorway
from .models import SECRET_METHODS, DoorRequest, Payload

_NO_STORE = {"Cache-Control": "no-store", "Pragma": "no-cache"}


def _error(error: str, description: str, status: int = 400) -> Response:
    body = {"error": error, "error_description": description}
    return Response(
        json.dumps(body), status_code=status, media_type="application/json", headers=_NO_STORE
    )


def _basic_decodes(header: str | None) -> bool:
    if header is None:
        return True
    scheme, _, credentials = header.partition(" ")
    if scheme.lower() != "basic":
        return True
    try:
        base64.b64decode(credentials.strip(), validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError, ValueError):
        return False
    return True


class Endpoints:
    def __init__(self, platform: Platform) -> None:
        self.platform = platform
        self.settings = platform.settings

    async def _run(self, request: Request, path: str, endpoint: str | None) -> Response:
        """Run authlib's token endpoint (``endpoint`` None) or a named endpoint on one door."""
        params = forms.protocol_parameters(await forms.read_form(request), unique=True)
        if params is None:
            return _error("invalid_request", "an urlencoded body of ASCII parameters, each once")
        if not _basic_decodes(request.headers.get("authorization")):
            return _error("invalid_client", "malformed Basic credentials", 401)
        assert self.platform.engine is not None
        async with door.opened(self.platform.engine) as opened:
            way = Doorway(opened, self.settings, self.platform.tokens, datetime.now(UTC))
            server = DoorServer(way)
            uri = f"{self.settings.public_url}{path}"
            oauth_request = DoorRequest("POST", uri, request.headers, Payload(params), form=True)
            if endpoint is None:
                response = await opened.call(server.create_token_response, oauth_request)
            else:
                response = await opened.call(
                    server.create_endpoint_response, endpoint, oauth_request
                )
            if response.status_code >= 400:
                opened.fail()
        return response

    async def token(self, request: Request) -> Response:
        return await self._run(request, "/oauth/token", None)

    async def revoke(self, request: Request) -> Response:
        return await self._run(request, "/oauth/revoke", "revocation")

    async def introspect(self, request: Request) -> Response:
        return await self._run(request, "/oauth/introspect", "introspection")

    async def metadata(self, request: Request) -> Response:
        return JSONResponse(metadata(self.settings), headers={"Cache-Control": "max-age=300"})


def metadata(settings: Settings) -> dict[str, Any]:
    """RFC 8414. ``issuer`` is the configured public URL (the metadata's identifier must be an
    https URL); the access tokens' ``iss`` claim is ``settings.token_issuer``, a separate
    setting: set it to the same URL where resource servers of others check ``iss`` against
    this document (RFC 9068 section 4)."""
    base = settings.public_url
    public_or_secret = ["none", *SECRET_METHODS]
    return {
        "issuer": base,
        "authorization_endpoint": f"{base}/oauth/authorize",
        "token_endpoint": f"{base}/oauth/token",
        "revocation_endpoint": f"{base}/oauth/revoke",
        "introspection_endpoint": f"{base}/oauth/introspect",
        "jwks_uri": f"{base}/.well-known/jwks.json",
        "scopes_supported": list(SCOPES),
        "response_types_supported": ["code"],
        "response_modes_supported": ["query"],
        "grant_types_supported": ["authorization_code", "refresh_token", "client_credentials"],
        "token_endpoint_auth_methods_supported": public_or_secret,
        "revocation_endpoint_auth_methods_supported": public_or_secret,
        "introspection_endpoint_auth_methods_supported": list(SECRET_METHODS),
        "code_challenge_methods_supported": ["S256"],
        # RFC 9207: every authorization response carries ``iss`` (server/oauth/web.py).
        "authorization_response_iss_parameter_supported": True,
        "ui_locales_supported": ["zh-CN"],
    }
