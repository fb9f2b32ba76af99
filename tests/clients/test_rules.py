"""The registration rules on their own: the forms they accept and how origins are normalised
(the refusals, with their input paths, are in test_register.py through the API)."""

from __future__ import annotations

import re

import pytest

from partyplan.resolvers.clients import rules
from partyplan.resolvers.clients.errors import ClientError, ClientErrorCode


@pytest.mark.parametrize(
    "uri",
    [
        "https://console.example.edu.cn/callback",
        "https://console.example.edu.cn:8443/oauth/cb?tenant=1",
        "https://203.0.113.7/cb",
        "https://[2001:db8::1]/cb",
        "http://localhost:3000/cb",
        "http://127.0.0.1/cb",
        "http://[::1]:51004/cb",
        "https://xn--bcher-kva.example/cb",
        "https://app.example/" + "a" * (rules.URI_MAX - 20),
    ],
)
def test_redirect_uris_accepted_as_given(uri: str) -> None:
    assert rules.check_redirect_uri(uri, "redirectUris.0") == uri


@pytest.mark.parametrize(
    ("origin", "stored"),
    [
        ("https://console.example.edu.cn", "https://console.example.edu.cn"),
        ("HTTPS://Console.Example.EDU.cn:443", "https://console.example.edu.cn"),
        ("https://app.example:8443", "https://app.example:8443"),
        ("http://localhost:5173", "http://localhost:5173"),
        ("http://127.0.0.1:80", "http://127.0.0.1"),
        ("https://[2001:DB8::1]", "https://[2001:db8::1]"),
    ],
)
def test_origins_are_stored_as_browsers_send_them(origin: str, stored: str) -> None:
    assert rules.clean_origin(origin, "allowedOrigins.0") == stored


def test_http_is_for_loopback_only() -> None:
    for uri in ("http://localhost.example/cb", "http://127.0.0.2/cb", "http://[::2]/cb"):
        with pytest.raises(ClientError) as refused:
            rules.check_redirect_uri(uri, "redirectUris.0")
        assert refused.value.code == ClientErrorCode.INVALID_REDIRECT_URI


def test_client_ids_are_random_lower_case_and_url_safe() -> None:
    ids = {rules.new_client_id() for _ in range(100)}
    assert len(ids) == 100
    assert all(re.fullmatch(r"pp-[a-z2-7]{26}", i) for i in ids)
    # The service account's username passes the access domain's username rule.
    from partyplan.resolvers.access.rules import clean_username

    username = rules.service_username(ids.pop())
    assert clean_username(username) == username


def test_duplicates_are_kept_once_and_roles_keep_their_input_index() -> None:
    registration = rules.check_registration(
        name=" 同步\t服务 ",
        kind="service",
        redirect_uris=[],
        allowed_origins=[],
        allowed_scopes=["sync", "read", "sync"],
        roles=["viewer", "viewer", "sync_agent"],
        trusted_documents_only=True,
        cost_budget=None,
        requests_per_minute=rules.MAX_REQUESTS_PER_MINUTE,
    )
    assert registration.name == "同步 服务"
    assert registration.allowed_scopes == ["read", "sync"]
    assert registration.roles == [(0, "viewer"), (2, "sync_agent")]
    assert registration.cost_budget == rules.DEFAULT_COST_BUDGET
