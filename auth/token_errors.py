"""How a refused token is reported: :class:`TokenError` and its reason codes, and the mapping
of joserfc's exceptions onto them.

Invariants:

* A refusal is a :class:`TokenError` with one of the :data:`TokenErrorReason` codes, whatever
  the input, so a caller tells the reasons apart without knowing joserfc.
* No message ever contains the token or its claims (only the reason, a claim's name, or
  joserfc's error code), so a refusal is safe to log.

Imports: joserfc's errors only.
"""

from __future__ import annotations

from typing import Literal

from joserfc.errors import (
    BadSignatureError,
    ExpiredTokenError,
    InvalidClaimError,
    JoseError,
    KeyParameterError,
    MissingAlgorithmError,
    MissingClaimError,
    UnsupportedAlgorithmError,
)

__all__ = ["TokenError", "TokenErrorReason", "from_jose_error"]


TokenErrorReason = Literal[
    "expired",
    "bad_signature",
    "bad_algorithm",
    "malformed",
    "missing_claim",
    "bad_issuer",
    "bad_audience",
    "not_yet_valid",
    "unknown_key",
    "ttl_too_long",
    "wrong_type",
]


class TokenError(Exception):
    """A token was refused. ``reason`` is a short machine-readable code.

    The message never contains the token or its claims, so it is safe to log.
    """

    def __init__(self, reason: TokenErrorReason, detail: str | None = None) -> None:
        self.reason: TokenErrorReason = reason
        self.detail = detail
        super().__init__(f"{reason}: {detail}" if detail else reason)


def from_jose_error(exc: JoseError) -> TokenError:
    """Map a joserfc exception to our reason codes; the order of the checks matters."""
    if isinstance(exc, BadSignatureError):
        return TokenError("bad_signature")
    if isinstance(exc, (UnsupportedAlgorithmError, MissingAlgorithmError, KeyParameterError)):
        # KeyParameterError covers a key whose kty/alg/use does not fit the header's alg.
        return TokenError("bad_algorithm", exc.error)
    if isinstance(exc, ExpiredTokenError):  # a subclass of ClaimError, test it first
        return TokenError("expired")
    if isinstance(exc, MissingClaimError):
        return TokenError("missing_claim", exc.claim)
    if isinstance(exc, InvalidClaimError):
        return TokenError(_INVALID_CLAIM_REASONS.get(exc.claim, "malformed"), exc.claim)
    # DecodeError, InvalidPayloadError, ExceededSizeError, header errors, ...
    return TokenError("malformed", exc.error)


_INVALID_CLAIM_REASONS: dict[str, TokenErrorReason] = {
    "iss": "bad_issuer",
    "aud": "bad_audience",
    # SignedTokens checks the types before the registry runs, so these can only be "not yet"
    # (nbf) / "in the future" (iat).
    "nbf": "not_yet_valid",
    "iat": "not_yet_valid",
}
