"""What a sign-in through the province's provider must remember between leaving for the provider
and coming back: kept in the browser, in a cookie only we can read or make.

The cookie (``pp_upstream``, HttpOnly, SameSite=Lax, path ``/oauth/upstream``, ``Secure`` in
production) is a JWE (``dir``, ``A256GCM``: encrypted and authenticated) under a key derived
(HKDF) from the token-signing key, as the CSRF key is. It holds the ``state`` and ``nonce`` sent
to the provider, the PKCE verifier, the pending authorization request, the id the sign-in session
will get, and an expiry. No table holds it (and none is needed): another site can neither read
it (the verifier and the future session id stay secret) nor forge or alter one, and the
callback only proceeds when the ``state`` it is handed equals the cookie's, which binds the
answer to the browser that asked.

Single use: every callback deletes the cookie, and a callback that succeeds creates the sign-in
session under the id the cookie carries, whose digest is the session row's primary key; the same
cookie presented again meets that row and is refused before the provider is asked anything,
and two presented at once cannot both insert it. A session row outlives the cookie's ten
minutes by far (``doors prune`` keeps an ended one a day), so the guard holds for as long as
the cookie could be replayed at all.
"""

from __future__ import annotations

import secrets
import time
from dataclasses import asdict, dataclass, fields

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from joserfc import jwt
from joserfc.errors import JoseError
from joserfc.jwe import JWERegistry
from joserfc.jwk import OctKey, OKPKey
from joserfc.jwt import JWTClaimsRegistry
from starlette.requests import Request
from starlette.responses import Response

from partyplan.auth import client_secrets

COOKIE = "pp_upstream"
PATH = "/oauth/upstream"
#: How long a person may take at the provider.
TTL_SECONDS = 600
#: Browsers keep cookies up to 4096 bytes; the authorization request is the part that varies.
MAX_QUERY = 2048
_MAX_COOKIE = 4000
_ALGORITHMS = ["dir", "A256GCM"]
_REGISTRY = JWERegistry(algorithms=_ALGORITHMS)
_HEADER = {"alg": "dir", "enc": "A256GCM"}


@dataclass(frozen=True, slots=True)
class Pending:
    """One sign-in through the provider, between its start and its callback."""

    state: str
    nonce: str
    verifier: str
    #: The authorization request to resume afterwards ("" when there is none).
    query: str
    #: The id the sign-in session will get (``client_secrets.new_secret``).
    session_id: str

    @classmethod
    def new(cls, query: str) -> Pending:
        return cls(
            state=secrets.token_urlsafe(32),
            nonce=secrets.token_urlsafe(32),
            verifier=secrets.token_urlsafe(48),
            query=query,
            session_id=client_secrets.new_secret(),
        )


class PendingCookie:
    def __init__(self, signing_key: OKPKey, *, secure: bool) -> None:
        raw = signing_key.private_key.private_bytes_raw()
        derived = HKDF(
            algorithm=hashes.SHA256(), length=32, salt=None, info=b"partyplan upstream v1"
        ).derive(raw)
        self._key = OctKey.import_key(derived)
        self._secure = secure

    def seal(self, pending: Pending, now: int | None = None) -> str:
        issued = int(time.time()) if now is None else now
        claims = {**asdict(pending), "exp": issued + TTL_SECONDS}
        return jwt.encode(_HEADER, claims, self._key, algorithms=_ALGORITHMS, registry=_REGISTRY)

    def open(self, request: Request, now: int | None = None) -> Pending | None:
        """The request's pending sign-in, or None: no cookie, not ours, altered, or expired."""
        value = request.cookies.get(COOKIE)
        if not value or len(value) > _MAX_COOKIE or not value.isascii():
            return None
        try:
            token = jwt.decode(value, self._key, algorithms=_ALGORITHMS, registry=_REGISTRY)
            JWTClaimsRegistry(
                now=int(time.time()) if now is None else now, exp={"essential": True}
            ).validate(token.claims)
            values = {field.name: token.claims[field.name] for field in fields(Pending)}
        except (JoseError, ValueError, KeyError, TypeError):
            return None
        if not all(isinstance(value, str) for value in values.values()):
            return None
        return Pending(**values)

    def fits(self, pending: Pending) -> bool:
        """Whether the sealed cookie stays within what a browser keeps."""
        return len(pending.query) <= MAX_QUERY and len(self.seal(pending)) <= _MAX_COOKIE

    def set(self, response: Response, pending: Pending) -> None:
        response.set_cookie(
            COOKIE,
            self.seal(pending),
            max_age=TTL_SECONDS,
            path=PATH,
            secure=self._secure,
            httponly=True,
            samesite="lax",
        )

    def delete(self, response: Response) -> None:
        response.delete_cookie(COOKIE, path=PATH, secure=self._secure, httponly=True)
