"""CSRF protection of the sign-in pages: a signed double-submit token.

The browser holds a random value in an HttpOnly cookie (``pp_csrf``, SameSite=Lax, path
/oauth); every form carries an HMAC of that value under a key only the server has. A POST is
honoured only when its form's token is the HMAC of its own cookie. Another site can neither
read the cookie nor compute the HMAC, and a cookie planted from a sibling domain does not help
it either (the plain double-submit pattern's weakness), since the token cannot be derived
from the cookie without the key.

The key is derived (HKDF) from the token-signing key, so every process of an installation
agrees on it without another secret to manage, and it changes with the signing key.
"""

from __future__ import annotations

import base64
import hashlib
import hmac

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from joserfc.jwk import OKPKey
from starlette.requests import Request
from starlette.responses import Response

from partyplan.auth import client_secrets

COOKIE = "pp_csrf"
_MAX = 64


class Csrf:
    def __init__(self, signing_key: OKPKey, *, secure: bool) -> None:
        raw = signing_key.private_key.private_bytes_raw()
        self._key = HKDF(
            algorithm=hashes.SHA256(), length=32, salt=None, info=b"partyplan csrf v1"
        ).derive(raw)
        self._secure = secure

    def _token_of(self, cookie: str) -> str:
        mac = hmac.new(self._key, cookie.encode("ascii"), hashlib.sha256).digest()
        return base64.urlsafe_b64encode(mac).decode("ascii").rstrip("=")

    @staticmethod
    def _cookie(request: Request) -> str | None:
        value = request.cookies.get(COOKIE)
        if value and len(value) <= _MAX and value.isascii() and value.isprintable():
            return value
        return None

    def issue(self, request: Request) -> tuple[str, str | None]:
        """The token for the forms of a page, and a new cookie value to set (None: the
        browser's cookie stands)."""
        cookie = self._cookie(request)
        if cookie is not None:
            return self._token_of(cookie), None
        cookie = client_secrets.new_secret()
        return self._token_of(cookie), cookie

    def set_cookie(self, response: Response, cookie: str | None) -> Response:
        if cookie is not None:
            response.set_cookie(
                COOKIE, cookie, path="/oauth", secure=self._secure, httponly=True, samesite="lax"
            )
        return response

    def valid(self, request: Request, token: str | None) -> bool:
        cookie = self._cookie(request)
        if cookie is None or not token or len(token) > _MAX or not token.isascii():
            return False
        return hmac.compare_digest(self._token_of(cookie), token)
