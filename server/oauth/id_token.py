"""Verifying an ID token from the province's provider (OpenID Connect Core 1.0, 3.1.3.7), with
joserfc.

Invariants of :func:`verify`:

* Only an asymmetric algorithm that the provider advertises and that is on :data:`SAFE` is
  accepted: never ``none``, never an HMAC (OpenID Connect would let ``HS256`` be keyed with
  our client secret, which a provider's staff could then use to vouch for anyone; and HMAC
  keyed with a public key is the classic confusion). The algorithm is checked before any key
  is touched.
* The key is the provider's published key under the token's ``kid``, of the algorithm's type
  (a token without ``kid`` only where exactly one such key exists); headers that could point
  at another key (``jku``, ``jwk``, ``x5u``, ``x5c``) or change the parsing (``crit``, ``b64``)
  refuse the token.
* ``iss`` is the configured issuer, ``aud`` holds our client id (with ``azp`` equal to it when
  there are other audiences or an ``azp``), ``sub``, ``iat`` and ``exp`` are present, ``exp``
  has not passed and ``iat`` is not in the future (give or take the leeway), and ``nonce`` is
  the one sent with this very sign-in.
* It raises :class:`IdTokenError` and nothing else, whatever the input.
"""

from __future__ import annotations

import hmac
from collections.abc import Callable, Collection
from typing import TYPE_CHECKING, Any

from joserfc import jws, jwt
from joserfc.errors import JoseError, UnsupportedAlgorithmError
from joserfc.jwk import KeySet
from joserfc.jws import JWSRegistry
from joserfc.jwt import JWTClaimsRegistry
from joserfc.registry import JWS_HEADER_REGISTRY

if TYPE_CHECKING:
    from joserfc.jwa import JWSAlgModel
    from joserfc.jwk import GuestProtocol, Key

#: The signature algorithms we accept from a provider, whatever it advertises.
SAFE = frozenset(
    {
        "RS256",
        "RS384",
        "RS512",
        "PS256",
        "PS384",
        "PS512",
        "ES256",
        "ES384",
        "ES512",
        "EdDSA",
        "Ed25519",
    }
)
#: OpenID Connect Discovery's default when the metadata names none.
DEFAULT_ALGORITHMS = ("RS256",)
MAX_LENGTH = 16 * 1024
_HEADERS = ("alg", "kid", "typ", "x5t", "x5t#S256")


class IdTokenError(Exception):
    def __init__(self, reason: str) -> None:
        self.reason = reason
        super().__init__(reason)


def accepted_algorithms(advertised: object) -> tuple[str, ...]:
    """The algorithms of the provider's ``id_token_signing_alg_values_supported`` that are
    :data:`SAFE` (RS256 when it names none), in its order; may be empty."""
    if advertised is None:
        return DEFAULT_ALGORITHMS
    if not isinstance(advertised, list):
        return ()
    return tuple(dict.fromkeys(a for a in advertised if isinstance(a, str) and a in SAFE))


class _IdTokenRegistry(JWSRegistry):
    """joserfc uses a registry passed to ``jwt.decode`` instead of its ``algorithms``
    argument: the allow-list and the headers we admit live here."""

    default_header_registry = {name: JWS_HEADER_REGISTRY[name] for name in _HEADERS}

    def get_alg(self, name: str) -> JWSAlgModel:
        # An empty allow-list would fall back to joserfc's "recommended" list (HS256 included).
        # No call to super(): it warns on every use of "EdDSA" (RFC 9864 prefers "Ed25519").
        if not self.allowed or name not in self.allowed or name not in self.algorithms:
            raise UnsupportedAlgorithmError(f"algorithm {name!r} is not accepted")
        return self.algorithms[name]


def key_id(token: str) -> str | None:
    """The unverified ``kid`` of a token (to know whether the provider's keys must be fetched
    again before verifying); None when it has none or is no token."""
    try:
        header = jws.extract_compact(token.encode("ascii")).headers()
    except (JoseError, ValueError, TypeError, UnicodeError):
        return None
    kid = header.get("kid")
    return kid if isinstance(kid, str) else None


def known_key_ids(keys: KeySet) -> set[str]:
    return {key.kid for key in keys.keys if key.kid is not None}


def verify(
    token: object,
    keys: KeySet,
    *,
    algorithms: Collection[str],
    issuer: str,
    client_id: str,
    nonce: str,
    now: int,
    leeway: int,
) -> dict[str, Any]:
    """The verified claims of the ID token (see the module's invariants)."""
    try:
        return _verify(token, keys, algorithms, issuer, client_id, nonce, now, leeway)
    except IdTokenError:
        raise
    except JoseError as error:
        raise IdTokenError(error.error) from error
    except Exception as error:
        # joserfc leaks TypeError, ValueError or UnicodeError on some malformed input: a bad
        # token is refused like any other, never a crash.
        raise IdTokenError(f"malformed: {type(error).__name__}") from error


def _verify(
    token: object,
    keys: KeySet,
    algorithms: Collection[str],
    issuer: str,
    client_id: str,
    nonce: str,
    now: int,
    leeway: int,
) -> dict[str, Any]:
    if not isinstance(token, str) or not token or len(token) > MAX_LENGTH:
        raise IdTokenError("not a token")
    allowed = [a for a in algorithms if a in SAFE]
    registry = _IdTokenRegistry(algorithms=allowed)
    decoded = jwt.decode(token, _key_picker(keys, registry), algorithms=allowed, registry=registry)
    claims = decoded.claims
    essential: dict[str, Any] = {"essential": True}
    JWTClaimsRegistry(
        now=now,
        leeway=leeway,
        iss={"essential": True, "value": issuer},
        aud={"essential": True, "value": client_id},
        sub=essential,
        exp=essential,
        iat=essential,
    ).validate(claims)
    audiences = claims["aud"] if isinstance(claims["aud"], list) else [claims["aud"]]
    if (len(audiences) > 1 or "azp" in claims) and claims.get("azp") != client_id:
        raise IdTokenError("azp is not our client")
    sent = claims.get("nonce")
    # Compared here, not by the registry, which would accept a list holding the value.
    if not isinstance(sent, str) or not hmac.compare_digest(sent.encode(), nonce.encode()):
        raise IdTokenError("nonce is not this sign-in's")
    return claims


def _key_picker(keys: KeySet, registry: _IdTokenRegistry) -> Callable[[GuestProtocol], Key]:
    def pick(obj: GuestProtocol) -> Key:
        header = obj.headers()
        algorithm = registry.get_alg(header["alg"])  # joserfc has checked it; typed here
        kid = header.get("kid")
        if kid is not None and not isinstance(kid, str):
            raise IdTokenError("kid is not a string")
        usable = [
            key
            for key in keys.keys
            if (kid is None or key.kid == kid) and _signs_with(key, algorithm)
        ]
        if not usable:
            raise IdTokenError("unknown key")
        if kid is None and len(usable) != 1:
            raise IdTokenError("no kid, and more than one key would do")
        return usable[0]

    return pick


def _signs_with(key: Key, algorithm: JWSAlgModel) -> bool:
    if key.get("use") not in (None, "sig"):
        return False
    try:
        algorithm.check_key(key)
    except JoseError:
        return False
    return True
