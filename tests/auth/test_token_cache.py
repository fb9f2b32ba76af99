"""The verified-token cache (auth/token_cache.py): a token verified once answers from it with
the same claims, never past its exp, never before it was verified, never once its key is gone,
never for another string, and never more entries than its bound. (That revocation is still
honoured while a token's verification is cached is tested through the API, in
tests/server/test_token_cache_revocation.py.)"""

from __future__ import annotations

import base64
import json
from pathlib import Path

import pytest
from joserfc.jwk import OKPKey

from partyplan.auth.keys import KeyStore
from partyplan.auth.token_cache import VerifiedTokenCache
from partyplan.auth.tokens import TokenClaims, TokenError, TokenService

ISSUER = "partyplan"
AUDIENCE = "partyplan-api"
LEEWAY = 30
NOW = 1_700_000_000


@pytest.fixture
def keys(tmp_path: Path) -> KeyStore:
    return KeyStore.load_or_create(tmp_path / "keys")


def service(keys: KeyStore, cache_size: int = 16) -> TokenService:
    return TokenService(
        keys, ISSUER, AUDIENCE, leeway_seconds=LEEWAY, max_ttl_seconds=3600, cache_size=cache_size
    )


def reason(tokens: TokenService, token: str, now: int) -> str:
    with pytest.raises(TokenError) as refused:
        tokens.verify(token, now=now)
    return refused.value.reason


def test_a_cached_token_answers_with_the_claims_it_was_verified_with(keys: KeyStore) -> None:
    tokens = service(keys)
    token = tokens.mint("42", 600, client_id="web", scope="read", grant_id=7, now=NOW)
    uncached = service(keys, cache_size=0).verify(token, now=NOW + 1)
    first = tokens.verify(token, now=NOW + 1)
    assert tokens.cache is not None and (tokens.cache.hits, tokens.cache.misses) == (0, 1)
    again = tokens.verify(token, now=NOW + 2)
    assert tokens.cache.hits == 1
    assert first == again == uncached
    assert again == TokenClaims("42", NOW, NOW + 600, uncached.token_id, "web", "read", 7)


def test_a_cached_token_is_checked_in_full_once(
    keys: KeyStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    tokens = service(keys)
    token = tokens.mint("42", 600, now=NOW)
    decoded: list[str] = []
    decode_keyed = tokens._tokens.decode_keyed

    def counting(token: str, now: int) -> object:
        decoded.append(token)
        return decode_keyed(token, now)

    monkeypatch.setattr(tokens._tokens, "decode_keyed", counting)
    for second in range(10):
        assert tokens.verify(token, now=NOW + second).subject == "42"
    assert decoded == [token]


def test_an_expired_token_is_refused_though_it_was_cached(keys: KeyStore) -> None:
    tokens = service(keys)
    token = tokens.mint("42", 600, now=NOW)
    tokens.verify(token, now=NOW)
    assert tokens.cache is not None
    hits = tokens.cache.hits
    # From its exp on the cache no longer answers: verified in full, within the leeway still
    # accepted (as without a cache), past it refused.
    assert tokens.verify(token, now=NOW + 600).subject == "42"
    assert reason(tokens, token, NOW + 600 + LEEWAY + 1) == "expired"
    assert tokens.cache.hits == hits


def test_the_cache_never_answers_for_a_moment_before_the_verification(keys: KeyStore) -> None:
    tokens = service(keys)
    token = tokens.mint("42", 600, now=NOW)
    tokens.verify(token, now=NOW)
    assert reason(tokens, token, NOW - LEEWAY - 1) == "not_yet_valid"


def test_a_bad_signature_is_never_served_from_the_cache(keys: KeyStore) -> None:
    tokens = service(keys)
    token = tokens.mint("42", 600, now=NOW)
    tokens.verify(token, now=NOW)
    head, payload, signature = token.split(".")
    forged = f"{head}.{payload}.{signature[:-2]}{'AA' if signature[-2:] != 'AA' else 'BA'}"
    for _ in range(3):
        assert reason(tokens, forged, NOW + 1) == "bad_signature"
    assert tokens.cache is not None and len(tokens.cache) == 1  # the good one alone


def test_a_token_of_a_key_no_longer_held_is_refused_though_it_was_cached(
    keys: KeyStore,
) -> None:
    old = OKPKey.generate_key("Ed25519", auto_kid=True)
    token = service(KeyStore(old)).mint("42", 600, now=NOW)  # signed with the old key
    with_old = KeyStore(keys.signing_key, [old])
    tokens = service(with_old)
    assert tokens.verify(token, now=NOW).subject == "42"
    kid = json.loads(base64.urlsafe_b64decode(token.split(".")[0] + "=="))["kid"]
    del with_old._verification_keys[kid]  # the old key retired in place
    assert reason(tokens, token, NOW + 1) == "unknown_key"


def test_different_tokens_never_share_an_entry(keys: KeyStore) -> None:
    tokens = service(keys)
    minted = [tokens.mint(str(subject), 600, now=NOW) for subject in range(1, 9)]
    for _ in range(2):
        assert [tokens.verify(t, now=NOW).subject for t in minted] == [
            str(subject) for subject in range(1, 9)
        ]
    assert tokens.cache is not None and tokens.cache.hits == 8
    assert len({VerifiedTokenCache.digest(t) for t in minted}) == 8


def test_the_cache_holds_at_most_its_bound_least_recently_used_out(keys: KeyStore) -> None:
    tokens = service(keys, cache_size=3)
    minted = [tokens.mint(str(subject), 600, now=NOW) for subject in range(1, 11)]
    tokens.verify(minted[0], now=NOW)
    for token in minted[1:]:
        tokens.verify(token, now=NOW)
        tokens.verify(minted[0], now=NOW)  # kept in use: never the one evicted
        assert tokens.cache is not None and len(tokens.cache) <= 3
    assert tokens.cache is not None and len(tokens.cache) == 3
    hits = tokens.cache.hits
    tokens.verify(minted[0], now=NOW)
    tokens.verify(minted[-1], now=NOW)
    assert tokens.cache.hits == hits + 2
    tokens.verify(minted[1], now=NOW)  # long evicted: verified again
    assert tokens.cache.hits == hits + 2


def test_without_a_size_there_is_no_cache(keys: KeyStore) -> None:
    tokens = service(keys, cache_size=0)
    token = tokens.mint("42", 600, now=NOW)
    assert tokens.cache is None
    assert tokens.verify(token, now=NOW) == tokens.verify(token, now=NOW)
    with pytest.raises(ValueError):
        VerifiedTokenCache(0)


def test_a_key_replaced_under_the_same_kid_ends_its_entries() -> None:
    cache: VerifiedTokenCache[str] = VerifiedTokenCache(4)
    key, replacement = (OKPKey.generate_key("Ed25519", auto_kid=True) for _ in range(2))
    digest = VerifiedTokenCache.digest("token")
    cache.put(digest, "claims", verified_at=NOW, expires_at=NOW + 60, kid="k", key=key)
    assert cache.get(digest, NOW, {"k": key}.get) == "claims"
    assert cache.get(digest, NOW, {"k": replacement}.get) is None
    assert len(cache) == 0  # dropped, not kept for the key's return
