"""The province's OpenID Connect provider, seen as its client: its metadata and keys (cached in
the process), the authorization request the browser is sent with, and the code it comes back
with exchanged for an ID token (authlib's httpx client), verified by ``id_token.verify``.

What the provider says is checked before it is used: the metadata must name the configured
issuer exactly (OpenID Connect Discovery 4.3) and endpoints of the same shape as an issuer
(https, or http on a loopback host); the algorithms are those it advertises that are on our
safe list; a token endpoint that only takes client authentications other than a secret (or
none) is refused. Every request has the configured timeout and follows no redirect.

The metadata and the keys are kept for an hour. A token whose ``kid`` is not among the keys
fetches them again at once (a rotation is picked up at the next sign-in), at most once a
minute, so a stream of made-up ``kid`` values cannot turn us into a flood on the provider.

Every failure is a :class:`ProviderError`: the callback page turns it into a message, never a
500, and the log keeps the reason.
"""

from __future__ import annotations

import asyncio
import time
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal

from authlib.deprecate import AuthlibDeprecationWarning
from authlib.integrations.base_client import OAuthError
from joserfc.errors import JoseError
from joserfc.jwk import KeySet

from ..settings import Settings, secure_url
from . import id_token

with warnings.catch_warnings():
    # authlib 1.9 would rather drive httpx2 and says so, at every start, when it finds httpx
    # (the project's client, whose range pyproject pins); its httpx support stands in 1.9.
    warnings.simplefilter("ignore", AuthlibDeprecationWarning)
    from authlib.integrations.httpx_client import AsyncOAuth2Client

CALLBACK = "/oauth/upstream/callback"
METADATA_TTL = 3600.0
KEYS_TTL = 3600.0
REFETCH_INTERVAL = 60.0
#: The longest metadata, key set, token or userinfo answer we read.
MAX_ANSWER = 256 * 1024
#: Client authentications at the token endpoint, ours first (RFC 8414's default: basic).
_SECRET_METHODS = ("client_secret_basic", "client_secret_post")

Failure = Literal["unavailable", "refused", "invalid"]


class ProviderError(Exception):
    """The provider could not vouch for anyone. ``kind`` is what the page says: "unavailable"
    (unreachable, slow, or an answer that is no OpenID Connect), "refused" (it answered with an
    OAuth error), "invalid" (its ID token failed verification); ``reason`` is for the log."""

    def __init__(self, kind: Failure, reason: str) -> None:
        self.kind: Failure = kind
        self.reason = reason
        super().__init__(f"{kind}: {reason}")


@dataclass(frozen=True, slots=True)
class Metadata:
    authorization_endpoint: str
    token_endpoint: str
    jwks_uri: str
    userinfo_endpoint: str | None
    algorithms: tuple[str, ...]
    auth_method: str


class Provider:
    def __init__(self, settings: Settings, clock: Callable[[], float] = time.monotonic) -> None:
        assert settings.oidc_issuer is not None and settings.oidc_client_id is not None
        self.issuer = settings.oidc_issuer
        self.client_id = settings.oidc_client_id
        self.client_secret = settings.oidc_client_secret
        self.claim = settings.oidc_claim
        self.scope = settings.oidc_scope
        self.timeout = settings.oidc_timeout_seconds
        self.leeway = settings.token_leeway_seconds
        self.redirect_uri = settings.public_url + CALLBACK
        self._clock = clock
        self._metadata: tuple[float, Metadata] | None = None
        self._keys: tuple[float, KeySet] | None = None
        self._refetched_at: float | None = None
        self._lock = asyncio.Lock()

    # --- what we send -------------------------------------------------------------------

    async def authorization_url(self, *, state: str, nonce: str, verifier: str) -> str:
        """The provider's authorization request: code flow, PKCE S256, our state and nonce."""
        metadata = await self.metadata()
        async with self._client(metadata) as client:
            url, _ = client.create_authorization_url(
                metadata.authorization_endpoint, state=state, code_verifier=verifier, nonce=nonce
            )
        return url

    async def vouch(self, *, code: str, verifier: str, nonce: str) -> Any:
        """The code exchanged and its ID token verified: the value of the configured claim (from
        the ID token, else from userinfo), or None when the provider does not say."""
        metadata = await self.metadata()
        async with self._client(metadata) as client:
            try:
                token = await client.fetch_token(
                    metadata.token_endpoint,
                    grant_type="authorization_code",
                    code=code,
                    code_verifier=verifier,
                )
            except OAuthError as error:
                raise ProviderError("refused", f"token endpoint: {error.error}") from error
            except Exception as error:
                raise ProviderError("unavailable", f"token endpoint: {error!r}") from error
            claims = await self._verified(token.get("id_token"), metadata, nonce)
            if self.claim in claims or metadata.userinfo_endpoint is None:
                return claims.get(self.claim)
            return await self._userinfo(client, metadata.userinfo_endpoint, claims["sub"])

    # --- what the provider says -----------------------------------------------------------

    async def metadata(self) -> Metadata:
        async with self._lock:
            now = self._clock()
            if self._metadata is None or now - self._metadata[0] >= METADATA_TTL:
                url = self.issuer.rstrip("/") + "/.well-known/openid-configuration"
                self._metadata = (now, self._parse_metadata(await self._json(url, "metadata")))
            return self._metadata[1]

    def _parse_metadata(self, document: dict[str, Any]) -> Metadata:
        if document.get("issuer") != self.issuer:
            raise ProviderError("unavailable", "metadata names another issuer")
        endpoints = {}
        for name in ("authorization_endpoint", "token_endpoint", "jwks_uri", "userinfo_endpoint"):
            value = document.get(name)
            if value is None and name == "userinfo_endpoint":
                endpoints[name] = None
            elif not isinstance(value, str) or not secure_url(value):
                raise ProviderError("unavailable", f"metadata: {name} is not an https URL")
            else:
                endpoints[name] = value
        algorithms = id_token.accepted_algorithms(
            document.get("id_token_signing_alg_values_supported")
        )
        if not algorithms:
            raise ProviderError("unavailable", "metadata: no ID token algorithm we accept")
        return Metadata(**endpoints, algorithms=algorithms, auth_method=self._auth_method(document))

    def _auth_method(self, document: dict[str, Any]) -> str:
        if self.client_secret is None:
            return "none"
        supported = document.get("token_endpoint_auth_methods_supported", ["client_secret_basic"])
        if isinstance(supported, list):
            for method in _SECRET_METHODS:
                if method in supported:
                    return method
        raise ProviderError("unavailable", "metadata: the token endpoint takes no client secret")

    async def _key_set(self, metadata: Metadata, kid: str | None) -> KeySet:
        """The provider's keys; fetched again when ``kid`` is not among them, at most once per
        :data:`REFETCH_INTERVAL`."""
        async with self._lock:
            now = self._clock()
            stale = self._keys is None or now - self._keys[0] >= KEYS_TTL
            unknown = (
                self._keys is not None
                and kid is not None
                and kid not in id_token.known_key_ids(self._keys[1])
                and (self._refetched_at is None or now - self._refetched_at >= REFETCH_INTERVAL)
            )
            if stale or unknown:
                if unknown:
                    self._refetched_at = now
                document = await self._json(metadata.jwks_uri, "keys")
                try:
                    self._keys = (now, KeySet.import_key_set(document))  # type: ignore[arg-type]
                except (JoseError, ValueError, KeyError, TypeError) as error:
                    raise ProviderError("unavailable", f"keys: {error!r}") from error
            assert self._keys is not None
            return self._keys[1]

    async def _verified(self, token: object, metadata: Metadata, nonce: str) -> dict[str, Any]:
        if not isinstance(token, str):
            raise ProviderError("invalid", "the token response has no id_token")
        keys = await self._key_set(metadata, id_token.key_id(token))
        try:
            return id_token.verify(
                token,
                keys,
                algorithms=metadata.algorithms,
                issuer=self.issuer,
                client_id=self.client_id,
                nonce=nonce,
                now=int(time.time()),
                leeway=self.leeway,
            )
        except id_token.IdTokenError as error:
            raise ProviderError("invalid", f"ID token: {error.reason}") from error

    async def _userinfo(self, client: AsyncOAuth2Client, url: str, subject: str) -> Any:
        """The claim from userinfo, which must be about the ID token's subject (Core 5.3.2)."""
        try:
            response = await client.get(url, headers={"Accept": "application/json"})
        except Exception as error:
            raise ProviderError("unavailable", f"userinfo: {error!r}") from error
        document = _document(response, "userinfo")
        if document.get("sub") != subject:
            raise ProviderError("invalid", "userinfo is about another subject")
        return document.get(self.claim)

    async def _json(self, url: str, what: str) -> dict[str, Any]:
        try:
            async with self._client() as client:
                response = await client.request(
                    "GET", url, withhold_token=True, headers={"Accept": "application/json"}
                )
        except Exception as error:
            raise ProviderError("unavailable", f"{what}: {error!r}") from error
        return _document(response, what)

    def _client(self, metadata: Metadata | None = None) -> AsyncOAuth2Client:
        return AsyncOAuth2Client(
            client_id=self.client_id,
            client_secret=self.client_secret,
            token_endpoint_auth_method=None if metadata is None else metadata.auth_method,
            scope=self.scope,
            redirect_uri=self.redirect_uri,
            code_challenge_method="S256",
            timeout=self.timeout,
            follow_redirects=False,
        )


def _document(response: Any, what: str) -> dict[str, Any]:
    """A JSON object from a 200 answer of bounded size, or ProviderError."""
    if response.status_code != 200:
        raise ProviderError("unavailable", f"{what}: HTTP {response.status_code}")
    if len(response.content) > MAX_ANSWER:
        raise ProviderError("unavailable", f"{what}: the answer is too large")
    try:
        document = response.json()
    except ValueError as error:
        raise ProviderError("unavailable", f"{what}: not JSON") from error
    if not isinstance(document, dict):
        raise ProviderError("unavailable", f"{what}: not a JSON object")
    return document
