"""The doors' pure rules."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from partyplan.resolvers.oauth import rules
from partyplan.resolvers.oauth.errors import OAuthError

NOW = datetime(2026, 12, 6, 9, tzinfo=UTC)
CLIENT = rules.Client(
    pk=1,
    client_id="front-end",
    name="前端",
    kind=rules.FRONT_END,
    secret_hash=None,
    redirect_uris=(
        "https://app.example.edu/callback",
        "https://user@app.example.edu/cb",  # registered, yet never a target
        "http://localhost:5173/cb",
    ),
    allowed_scopes=("read", "record"),
    unit_path="1.2",
    service_user_id=None,
)


@pytest.mark.parametrize(
    ("uri", "registered"),
    [
        ("https://app.example.edu/callback", True),
        ("http://localhost:5173/cb", True),
        ("https://app.example.edu/callback/", False),
        ("https://app.example.edu/Callback", False),
        ("https://app.example.edu/callback?x=1", False),
        ("https://user@app.example.edu/cb", False),
        ("https://app.example.edu/callback#", False),
        ("https://app.example.edu/callback\x00", False),
        (None, False),
    ],
)
def test_redirect_uris_match_exactly(uri: str | None, registered: bool) -> None:
    assert rules.redirect_registered(uri, CLIENT) is registered


@pytest.mark.parametrize(
    ("requested", "default_all", "expected"),
    [
        ("record read", False, "read record"),  # normalised to the scopes' order
        ("read read", False, "read"),
        (None, True, "read record"),
        ("  ", True, "read record"),
        (None, False, None),
        ("read manage", False, None),
        ("read bogus", False, None),
        ("pii", True, None),
    ],
)
def test_scopes_resolve_within_what_is_allowed(
    requested: str | None, default_all: bool, expected: str | None
) -> None:
    if expected is None:
        with pytest.raises(OAuthError):
            rules.resolve_scope(requested, CLIENT.allowed_scopes, default_all=default_all)
    else:
        assert (
            rules.resolve_scope(requested, CLIENT.allowed_scopes, default_all=default_all)
            == expected
        )


def test_a_refresh_may_only_narrow() -> None:
    assert rules.narrow_scope(None, "read record") == "read record"
    assert rules.narrow_scope("read", "read record") == "read"
    with pytest.raises(OAuthError):
        rules.narrow_scope("read manage", "read record")


def _judge(**changes: object) -> rules.Outcome:
    facts: dict[str, object] = {
        "found": True,
        "client_pk": 1,
        "presenting_client_pk": 1,
        "expires_at": NOW + timedelta(seconds=30),
        "spent": False,
        "grant_revoked": False,
        "grant_expires_at": NOW + timedelta(days=1),
        "now": NOW,
    }
    return rules.judge_presented(**(facts | changes))  # type: ignore[arg-type]


def test_what_a_presented_credential_is_worth() -> None:
    good, worthless, reused = rules.Outcome.GOOD, rules.Outcome.WORTHLESS, rules.Outcome.REUSED
    assert _judge() is good
    assert _judge(found=False, client_pk=None, expires_at=None, grant_expires_at=None) is (
        worthless
    )
    assert _judge(presenting_client_pk=2) is worthless
    assert _judge(presenting_client_pk=2, spent=True) is worthless  # another's: no revocation
    assert _judge(spent=True) is reused
    assert _judge(spent=True, expires_at=NOW - timedelta(days=1)) is reused
    assert _judge(expires_at=NOW) is worthless
    assert _judge(grant_revoked=True) is worthless
    assert _judge(grant_expires_at=NOW) is worthless


def test_an_access_token_never_outlives_its_grant() -> None:
    assert rules.access_token_ttl(NOW, None, 900) == 900
    assert rules.access_token_ttl(NOW, NOW + timedelta(days=1), 900) == 900
    assert rules.access_token_ttl(NOW, NOW + timedelta(seconds=100), 900) == 100
    assert rules.access_token_ttl(NOW, NOW - timedelta(seconds=5), 900) == 1


def test_parameters_are_printable_ascii() -> None:
    assert rules.is_vschar("abc ~!")
    for bad in ("a\x00", "\ud800", "中", "a\nb", "x" * (rules.MAX_PARAMETER + 1)):
        assert not rules.is_vschar(bad)
