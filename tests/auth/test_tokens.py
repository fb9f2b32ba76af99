"""Access tokens: minting, verification and every way a token must be refused; the key store."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import multiprocessing
import os
import stat
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
from hypothesis import given, settings
from hypothesis import strategies as st
from joserfc import jwt
from joserfc.errors import SecurityWarning
from joserfc.jwk import ECKey, Key, OKPKey

from partyplan.auth.keys import KEY_FILE_NAME, KeyStore, KeyStoreError
from partyplan.auth.tokens import TokenClaims, TokenError, TokenService
from partyplan.server.settings import Settings

ISSUER = "partyplan"
AUDIENCE = "partyplan-api"
LEEWAY = 30
MAX_TTL = 3600
NOW = 1_700_000_000


@pytest.fixture
def keys(tmp_path: Path) -> KeyStore:
    return KeyStore.load_or_create(tmp_path / "keys")


@pytest.fixture(params=[0, 64], ids=["uncached", "cached"])
def service(keys: KeyStore, request: pytest.FixtureRequest) -> TokenService:
    """Every test runs without and with the verified-token cache (auth/token_cache.py): what
    verify accepts or refuses, and why, must not change with it."""
    return TokenService(
        keys,
        ISSUER,
        AUDIENCE,
        leeway_seconds=LEEWAY,
        max_ttl_seconds=MAX_TTL,
        cache_size=request.param,
    )


# --- helpers that build tokens by hand, bypassing TokenService.mint ---------------------------


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def b64json(value: Any) -> str:
    return b64url(json.dumps(value).encode())


def valid_claims(**overrides: Any) -> dict[str, Any]:
    """Claims TokenService would accept at NOW; an override of None removes the claim."""
    claims = {
        "iss": ISSUER,
        "aud": AUDIENCE,
        "sub": "42",
        "iat": NOW,
        "nbf": NOW,
        "exp": NOW + 600,
        "jti": "jti-1",
    }
    claims.update(overrides)
    return {name: value for name, value in claims.items() if value is not None}


def header_for(kid: str | None, alg: str = "EdDSA", **extra: Any) -> dict[str, Any]:
    header = {"alg": alg, "typ": "at+jwt", **extra}
    if kid is not None:
        header["kid"] = kid
    return header


def sign_with(key: Key, header: dict[str, Any], claims: dict[str, Any]) -> str:
    """Sign with joserfc directly (any algorithm the key supports, no service checks)."""
    with warnings.catch_warnings():
        # joserfc warns about "EdDSA" on every use; irrelevant for crafting test tokens.
        warnings.simplefilter("ignore", SecurityWarning)
        return jwt.encode(header, claims, key, algorithms=[header["alg"]], default_type=None)


def raw_token(
    header: dict[str, Any], claims: dict[str, Any], sign: Callable[[bytes], bytes]
) -> str:
    """Build a compact JWS by hand: b64(header).b64(payload).b64(sign(signing input))."""
    signing_input = f"{b64json(header)}.{b64json(claims)}"
    return f"{signing_input}.{b64url(sign(signing_input.encode('ascii')))}"


def other_ed25519_key() -> OKPKey:
    return OKPKey.generate_key("Ed25519", auto_kid=True)


def reason_of(service: TokenService, token: str, now: int = NOW) -> str:
    with pytest.raises(TokenError) as info:
        service.verify(token, now=now)
    return info.value.reason


# --- round trip -------------------------------------------------------------------------------


def test_round_trip(service: TokenService, keys: KeyStore) -> None:
    token = service.mint("42", 600, client_id="web", scope="plans:read", now=NOW)

    claims = service.verify(token, now=NOW + 1)

    assert claims == TokenClaims(
        subject="42",
        issued_at=NOW,
        expires_at=NOW + 600,
        token_id=claims.token_id,
        client_id="web",
        scope="plans:read",
    )
    assert len(claims.token_id) >= 16
    header = json.loads(base64.urlsafe_b64decode(token.split(".")[0] + "=="))
    assert header == {"alg": "EdDSA", "kid": keys.kid, "typ": "at+jwt"}


def test_round_trip_without_optional_claims_and_unique_jti(service: TokenService) -> None:
    first = service.verify(service.mint("7", 60, now=NOW), now=NOW)
    second = service.verify(service.mint("7", 60, now=NOW), now=NOW)

    assert (first.client_id, first.scope) == (None, None)
    assert first.token_id != second.token_id


def test_mint_and_verify_never_warn(service: TokenService) -> None:
    # joserfc emits SecurityWarning for "EdDSA"; under -W error that would escape verify().
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        service.verify(service.mint("42", 60))


def test_verify_uses_the_wall_clock_by_default(service: TokenService) -> None:
    assert service.verify(service.mint("42", 60)).subject == "42"
    assert reason_of(service, service.mint("42", 60, now=NOW), now=None) == "expired"


# --- time claims ------------------------------------------------------------------------------


@pytest.mark.parametrize("after_exp", [0, 1, LEEWAY - 1])
def test_expired_within_leeway_accepted(service: TokenService, after_exp: int) -> None:
    token = service.mint("42", 60, now=NOW)

    assert service.verify(token, now=NOW + 60 + after_exp).subject == "42"


@pytest.mark.parametrize("after_exp", [LEEWAY, LEEWAY + 1, 10**6])
def test_expired_beyond_leeway_refused(service: TokenService, after_exp: int) -> None:
    token = service.mint("42", 60, now=NOW)

    assert reason_of(service, token, now=NOW + 60 + after_exp) == "expired"


def test_nbf_in_the_future_refused(service: TokenService, keys: KeyStore) -> None:
    token = sign_with(keys.signing_key, header_for(keys.kid), valid_claims(nbf=NOW + 120))

    assert reason_of(service, token) == "not_yet_valid"


def test_nbf_within_leeway_accepted(service: TokenService, keys: KeyStore) -> None:
    token = sign_with(keys.signing_key, header_for(keys.kid), valid_claims(nbf=NOW + LEEWAY))

    assert service.verify(token, now=NOW).subject == "42"


def test_token_minted_in_the_future_refused(service: TokenService) -> None:
    token = service.mint("42", 600, now=NOW + 3600)

    assert reason_of(service, token) == "not_yet_valid"


def test_lifetime_above_max_ttl_refused(service: TokenService, keys: KeyStore) -> None:
    # A token minted elsewhere (or before max_ttl was lowered) must not outlive our policy.
    claims = valid_claims(exp=NOW + MAX_TTL + LEEWAY + 1)
    token = sign_with(keys.signing_key, header_for(keys.kid), claims)

    assert reason_of(service, token) == "ttl_too_long"


def test_lifetime_at_max_ttl_plus_leeway_accepted(service: TokenService, keys: KeyStore) -> None:
    claims = valid_claims(exp=NOW + MAX_TTL + LEEWAY)
    token = sign_with(keys.signing_key, header_for(keys.kid), claims)

    assert service.verify(token, now=NOW).expires_at == NOW + MAX_TTL + LEEWAY


@pytest.mark.parametrize("ttl", [0, -1, MAX_TTL + 1])
def test_mint_refuses_ttl_outside_bounds(service: TokenService, ttl: int) -> None:
    with pytest.raises(ValueError):
        service.mint("42", ttl, now=NOW)


def test_mint_accepts_max_ttl(service: TokenService) -> None:
    claims = service.verify(service.mint("42", MAX_TTL, now=NOW), now=NOW)

    assert claims.expires_at - claims.issued_at == MAX_TTL


# --- issuer, audience, required claims ---------------------------------------------------------


def test_wrong_issuer_refused(service: TokenService, keys: KeyStore) -> None:
    other = TokenService(keys, "someone-else", AUDIENCE, LEEWAY, MAX_TTL)

    assert reason_of(service, other.mint("42", 60, now=NOW)) == "bad_issuer"


def test_wrong_audience_refused(service: TokenService, keys: KeyStore) -> None:
    other = TokenService(keys, ISSUER, "another-api", LEEWAY, MAX_TTL)

    assert reason_of(service, other.mint("42", 60, now=NOW)) == "bad_audience"


@pytest.mark.parametrize("claim", ["exp", "iss", "aud", "sub", "iat", "jti"])
def test_missing_required_claim_refused(service: TokenService, keys: KeyStore, claim: str) -> None:
    # Signed by our own key: only the missing claim is wrong. joserfc alone accepts no exp.
    token = sign_with(keys.signing_key, header_for(keys.kid), valid_claims(**{claim: None}))

    assert reason_of(service, token) == "missing_claim"


@pytest.mark.parametrize(
    "overrides",
    [
        {"exp": "soon"},
        {"exp": float(NOW + 600)},
        {"exp": True},
        {"iat": [NOW]},
        {"nbf": "now"},
        {"sub": 42},
        {"sub": ""},
        {"jti": 1},
        {"client_id": 5},
        {"scope": ["a", "b"]},
    ],
)
def test_claims_of_the_wrong_type_refused(
    service: TokenService, keys: KeyStore, overrides: dict[str, Any]
) -> None:
    token = sign_with(keys.signing_key, header_for(keys.kid), valid_claims(**overrides))

    assert reason_of(service, token) == "malformed"


# --- keys and signatures ------------------------------------------------------------------------


def test_other_key_with_our_kid_refused(service: TokenService, keys: KeyStore) -> None:
    token = sign_with(other_ed25519_key(), header_for(keys.kid), valid_claims())

    assert reason_of(service, token) == "bad_signature"


def test_other_key_with_unknown_kid_refused(service: TokenService) -> None:
    key = other_ed25519_key()
    token = sign_with(key, header_for(key.kid), valid_claims())

    assert reason_of(service, token) == "unknown_key"


def test_token_without_kid_refused(service: TokenService, keys: KeyStore) -> None:
    token = sign_with(keys.signing_key, header_for(None), valid_claims())

    assert reason_of(service, token) == "unknown_key"


def test_tampered_payload_refused(service: TokenService) -> None:
    header, _, signature = service.mint("42", 60, now=NOW).split(".")
    forged_payload = b64json(valid_claims(sub="1"))

    assert reason_of(service, f"{header}.{forged_payload}.{signature}") == "bad_signature"


def test_rotated_out_key_still_verifies(tmp_path: Path) -> None:
    old = KeyStore.load_or_create(tmp_path / "old")
    new = KeyStore(KeyStore.load_or_create(tmp_path / "new").signing_key, [old.signing_key])
    token = TokenService(old, ISSUER, AUDIENCE, LEEWAY, MAX_TTL).mint("42", 60, now=NOW)

    verified = TokenService(new, ISSUER, AUDIENCE, LEEWAY, MAX_TTL).verify(token, now=NOW)

    assert verified.subject == "42"


# --- algorithm confusion --------------------------------------------------------------------------


@pytest.mark.parametrize("alg", ["none", "None", "NONE", "nOnE"])
@pytest.mark.parametrize("with_kid", [False, True])
def test_alg_none_refused(service: TokenService, keys: KeyStore, alg: str, with_kid: bool) -> None:
    header = {"alg": alg, "typ": "JWT", **({"kid": keys.kid} if with_kid else {})}
    token = f"{b64json(header)}.{b64json(valid_claims())}."

    assert reason_of(service, token) == "bad_algorithm"


def _public_key_encodings(keys: KeyStore) -> list[bytes]:
    """Every way an attacker might feed our public key to HMAC as the secret."""
    public = keys.signing_key.public_key
    jwk_x = keys.public_jwks()["keys"][0]["x"]
    return [
        public.public_bytes(Encoding.Raw, PublicFormat.Raw),
        jwk_x.encode(),
        public.public_bytes(Encoding.PEM, PublicFormat.SubjectPublicKeyInfo),
        json.dumps(keys.public_jwks()["keys"][0]).encode(),
    ]


@pytest.mark.parametrize("encoding", range(4))
def test_hs256_with_public_key_as_secret_refused(
    service: TokenService, keys: KeyStore, encoding: int
) -> None:
    secret = _public_key_encodings(keys)[encoding]
    token = raw_token(
        header_for(keys.kid, alg="HS256"),
        valid_claims(),
        lambda data: hmac.new(secret, data, hashlib.sha256).digest(),
    )

    assert reason_of(service, token) == "bad_algorithm"


@pytest.mark.parametrize("use_our_kid", [True, False])
def test_es256_refused(service: TokenService, keys: KeyStore, use_our_kid: bool) -> None:
    ec_key = ECKey.generate_key("P-256", auto_kid=True)
    kid = keys.kid if use_our_kid else ec_key.kid
    token = sign_with(ec_key, header_for(kid, alg="ES256"), valid_claims())

    assert reason_of(service, token) == "bad_algorithm"


def test_fully_specified_ed25519_alg_refused_even_with_our_key(
    service: TokenService, keys: KeyStore
) -> None:
    # RFC 9864's "Ed25519" is the same signature as ours; the allow-list is by name, exactly.
    private = keys.signing_key.private_key
    assert private is not None
    token = raw_token(header_for(keys.kid, alg="Ed25519"), valid_claims(), private.sign)

    assert reason_of(service, token) == "bad_algorithm"


# --- headers ------------------------------------------------------------------------------------


@pytest.mark.parametrize("typ", ["JWT", "jwt", None, 5])
def test_wrong_typ_refused(service: TokenService, keys: KeyStore, typ: Any) -> None:
    header = {"alg": "EdDSA", "kid": keys.kid}
    if typ is not None:
        header["typ"] = typ
    private = keys.signing_key.private_key
    assert private is not None
    # By hand: joserfc itself refuses to sign a non-string typ.
    token = raw_token(header, valid_claims(), private.sign)

    # A typ that is not a string fails joserfc's header registry before ours is read.
    assert reason_of(service, token) == ("malformed" if typ == 5 else "wrong_type")


def test_full_media_type_accepted(service: TokenService, keys: KeyStore) -> None:
    header = header_for(keys.kid, typ="application/AT+JWT")
    token = sign_with(keys.signing_key, header, valid_claims())

    assert service.verify(token, now=NOW).subject == "42"


@pytest.mark.parametrize(
    "extra",
    [
        {"jku": "https://attacker.example/jwks.json"},
        {"x5u": "https://attacker.example/cert.pem"},
        {"b64": False, "crit": ["b64"]},
        {"cty": "JWT"},
    ],
)
def test_headers_we_never_emit_refused(
    service: TokenService, keys: KeyStore, extra: dict[str, Any]
) -> None:
    private = keys.signing_key.private_key
    assert private is not None
    token = raw_token(header_for(keys.kid, **extra), valid_claims(), private.sign)

    assert reason_of(service, token) == "malformed"


# --- garbage ------------------------------------------------------------------------------------

GARBAGE = [
    "",
    ".",
    "..",
    "...",
    "....",
    "a.b.c",
    "not a token",
    "Bearer abc.def.ghi",
    "x" * 200_000,
    "a" * 5000 + "." + "b" * 5000 + "." + "c" * 5000,
    "é.é.é",
    "токен.токен.токен",
    "\ud800.a.b",
    "\x00.\x00.\x00",
    "eyJ.eyJ.",
    f"{b64json('alg')}.{b64json({})}.",
    f"{b64json(5)}.{b64json({})}.",
    f"{b64json([])}.{b64json({})}.",
    f"{b64json({'alg': 'EdDSA', 'crit': 5})}.{b64json({})}.",
    f"{b64json({'alg': 'EdDSA', 'crit': [[1]]})}.{b64json({})}.",
    f"{b64json({'alg': {}})}.{b64json({})}.",
    f"{b64json({'alg': 'EdDSA', 'kid': 7})}.{b64json({})}.",
    f"{b64json({'alg': 'EdDSA', 'kid': ['a']})}.{b64json({})}.",
    f"{b64json({'alg': 'EdDSA'})}.{b64json({})}.%%%",
]


@pytest.mark.parametrize("token", GARBAGE, ids=range(len(GARBAGE)))
def test_garbage_raises_token_error_only(service: TokenService, token: str) -> None:
    with pytest.raises(TokenError) as info:
        service.verify(token, now=NOW)

    assert info.value.reason in {"malformed", "bad_algorithm", "unknown_key", "bad_signature"}


def test_valid_token_with_junk_around_it_refused(service: TokenService) -> None:
    token = service.mint("42", 60, now=NOW)

    for mangled in (token + ".", token + " ", " " + token, token + "\n", token[:-2]):
        with pytest.raises(TokenError):
            service.verify(mangled, now=NOW)


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=300))
def test_fuzz_any_text_raises_token_error_only(text: str) -> None:
    service = _fuzz_service()
    with pytest.raises(TokenError):
        service.verify(text, now=NOW)


_JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=8),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner),
    max_leaves=6,
)


@settings(max_examples=200, deadline=None)
@given(
    header=st.dictionaries(
        st.sampled_from(["alg", "kid", "typ", "crit", "b64", "jwk", "x"]), _JSON, max_size=4
    )
    | _JSON,
    payload=_JSON,
    signature=st.binary(max_size=70),
)
def test_fuzz_structured_tokens_raise_token_error_only(
    header: Any, payload: Any, signature: bytes
) -> None:
    token = f"{b64json(header)}.{b64json(payload)}.{b64url(signature)}"
    with pytest.raises(TokenError):
        _fuzz_service().verify(token, now=NOW)


_FUZZ_SERVICE: list[TokenService] = []


def _fuzz_service() -> TokenService:
    # Hypothesis does not mix with function-scoped fixtures; one in-memory key is enough here.
    if not _FUZZ_SERVICE:
        store = KeyStore(OKPKey.generate_key("Ed25519"))
        _FUZZ_SERVICE.append(TokenService(store, ISSUER, AUDIENCE, LEEWAY, MAX_TTL))
    return _FUZZ_SERVICE[0]


# --- key store ------------------------------------------------------------------------------------


def test_key_file_is_private_and_reused(tmp_path: Path) -> None:
    key_dir = tmp_path / "data" / "keys"

    first = KeyStore.load_or_create(key_dir)
    second = KeyStore.load_or_create(key_dir)

    key_file = key_dir / KEY_FILE_NAME
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert stat.S_IMODE(key_dir.stat().st_mode) == 0o700
    assert second.kid == first.kid
    stored = json.loads(key_file.read_text())
    assert stored["kid"] == first.kid == OKPKey.import_key(stored).thumbprint()
    assert stored["crv"] == "Ed25519" and "d" in stored
    assert not [name for name in os.listdir(key_dir) if name.endswith(".tmp")]


def test_tokens_survive_a_restart(tmp_path: Path) -> None:
    token = TokenService(KeyStore.load_or_create(tmp_path), ISSUER, AUDIENCE, 0, 60).mint("1", 60)
    restarted = TokenService(KeyStore.load_or_create(tmp_path), ISSUER, AUDIENCE, 0, 60)

    assert restarted.verify(token).subject == "1"


def test_group_readable_key_file_refused(tmp_path: Path) -> None:
    KeyStore.load_or_create(tmp_path)
    os.chmod(tmp_path / KEY_FILE_NAME, 0o640)

    with pytest.raises(KeyStoreError):
        KeyStore.load_or_create(tmp_path)


@pytest.mark.parametrize(
    "content",
    [
        "",
        "{not json",
        "[]",
        json.dumps({"kty": "oct", "k": "c2VjcmV0"}),
        json.dumps(OKPKey.generate_key("Ed25519", private=False).as_dict()),
        json.dumps(OKPKey.generate_key("X25519").as_dict(private=True)),
        json.dumps({**OKPKey.generate_key("Ed25519").as_dict(private=True), "kid": "mine"}),
    ],
    ids=["empty", "bad-json", "array", "oct", "public-only", "x25519", "kid-not-thumbprint"],
)
def test_unusable_key_file_refused(tmp_path: Path, content: str) -> None:
    path = tmp_path / KEY_FILE_NAME
    path.write_text(content)
    os.chmod(path, 0o600)

    with pytest.raises(KeyStoreError):
        KeyStore.load_or_create(tmp_path)


def _load_kid(key_dir: str, barrier: Any, results: Any) -> None:
    barrier.wait(timeout=20)
    results.put(KeyStore.load_or_create(Path(key_dir)).kid)


def test_concurrent_first_start_ends_with_one_key(tmp_path: Path) -> None:
    ctx = multiprocessing.get_context("fork")
    workers = 4
    barrier = ctx.Barrier(workers)
    results = ctx.Queue()
    key_dir = tmp_path / "keys"
    processes = [
        ctx.Process(target=_load_kid, args=(str(key_dir), barrier, results)) for _ in range(workers)
    ]
    for process in processes:
        process.start()
    kids = [results.get(timeout=30) for _ in processes]
    for process in processes:
        process.join(timeout=30)

    assert [process.exitcode for process in processes] == [0] * workers
    assert len(set(kids)) == 1
    assert KeyStore.load_or_create(key_dir).kid == kids[0]
    assert sorted(os.listdir(key_dir)) == ["signing-key.json"]  # no lock file beside it


def test_public_jwks_has_no_private_members(tmp_path: Path, keys: KeyStore) -> None:
    rotated = KeyStore.load_or_create(tmp_path / "rotated")
    # Even a *private* extra key must only ever be published as its public half.
    store = KeyStore(keys.signing_key, [rotated.signing_key])

    jwks = store.public_jwks()

    assert [jwk["kid"] for jwk in jwks["keys"]] == [keys.kid, rotated.kid]
    for jwk in jwks["keys"]:
        assert set(jwk) <= {"kty", "crv", "x", "kid", "alg", "use"}
        assert "d" not in jwk
        assert jwk["kty"] == "OKP" and jwk["crv"] == "Ed25519" and jwk["alg"] == "EdDSA"
    assert '"d"' not in json.dumps(jwks)


def test_duplicate_verification_key_refused(keys: KeyStore) -> None:
    with pytest.raises(ValueError):
        KeyStore(keys.signing_key, [keys.signing_key])


def test_from_settings_uses_resolved_key_dir(tmp_path: Path) -> None:
    # key_dir=None explicitly: a PARTYPLAN_KEY_DIR in the environment must not leak in.
    config = Settings(data_dir=tmp_path, key_dir=None, token_issuer="iss-x", token_audience="aud-x")

    service = TokenService.from_settings(config)

    assert (tmp_path / "keys" / KEY_FILE_NAME).exists()
    claims = service.verify(service.mint("42", 60))
    assert claims.subject == "42"
    strict = TokenService(KeyStore.load_or_create(tmp_path / "keys"), ISSUER, "aud-x", 0, 60)
    assert reason_of(strict, service.mint("42", 60), now=None) == "bad_issuer"
