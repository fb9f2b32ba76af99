"""The authorization server's metadata (RFC 8414)."""

from __future__ import annotations

import pytest
from authlib.oauth2 import rfc9207
from authlib.oauth2.rfc8414 import AuthorizationServerMetadata
from pydantic import ValidationError

from partyplan.server.oauth.api import metadata
from partyplan.server.settings import Settings


async def test_the_metadata_validates_and_advertises_what_is_served(client, platform):  # type: ignore[no-untyped-def]
    response = await client.get("/.well-known/oauth-authorization-server")
    assert response.status_code == 200
    document = response.json()
    AuthorizationServerMetadata(document).validate(
        metadata_classes=[rfc9207.AuthorizationServerMetadata]
    )
    assert document["authorization_response_iss_parameter_supported"] is True
    base = platform.settings.public_url
    assert document["issuer"] == base == "http://localhost:8000"
    assert document["code_challenge_methods_supported"] == ["S256"]
    assert document["response_types_supported"] == ["code"]
    assert set(document["grant_types_supported"]) == {
        "authorization_code",
        "refresh_token",
        "client_credentials",
    }
    assert "implicit" not in document["grant_types_supported"]
    assert "password" not in document["grant_types_supported"]
    endpoints = {
        "authorization_endpoint": "/oauth/authorize",
        "token_endpoint": "/oauth/token",
        "revocation_endpoint": "/oauth/revoke",
        "introspection_endpoint": "/oauth/introspect",
        "jwks_uri": "/.well-known/jwks.json",
    }
    for name, path in endpoints.items():
        assert document[name] == base + path
    # Every advertised endpoint is mounted (a GET of a POST-only endpoint is 405, not 404).
    for path in endpoints.values():
        assert (await client.get(path)).status_code != 404
    assert document["introspection_endpoint_auth_methods_supported"] == [
        "client_secret_basic",
        "client_secret_post",
    ]


def test_the_issuer_follows_the_public_url() -> None:
    settings = Settings(public_url="https://partyplan.example.edu.cn/")
    document = metadata(settings)
    AuthorizationServerMetadata(document).validate(
        metadata_classes=[rfc9207.AuthorizationServerMetadata]
    )
    assert document["authorization_response_iss_parameter_supported"] is True
    assert document["issuer"] == "https://partyplan.example.edu.cn"
    assert document["token_endpoint"] == "https://partyplan.example.edu.cn/oauth/token"


@pytest.mark.parametrize(
    "url",
    [
        "http://partyplan.example.edu.cn",  # plain http off a loopback host
        "https://partyplan.example.edu.cn/?x=1",
        "https://partyplan.example.edu.cn/#f",
        "https://user@partyplan.example.edu.cn",
        "partyplan.example.edu.cn",
        "ftp://partyplan.example.edu.cn",
    ],
)
def test_a_public_url_that_cannot_be_an_issuer_is_refused(url: str) -> None:
    with pytest.raises(ValidationError):
        Settings(public_url=url)
