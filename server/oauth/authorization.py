"""The authorization server: authlib's ``AuthorizationServer`` glued to Starlette and to the
doors' domain, built once per request around that request's door transaction (a few list
appends; it keeps no state between requests).

Responses come back from authlib as (status, body, headers) and leave as Starlette responses;
a JSON body is written ASCII-escaped, so nothing a caller sent can make encoding fail.
"""

from __future__ import annotations

import json
from typing import Any

from authlib.oauth2.rfc6749 import AuthorizationServer
from authlib.oauth2.rfc6749.errors import OAuth2Error
from authlib.oauth2.rfc7009 import RevocationEndpoint
from authlib.oauth2.rfc7662 import IntrospectionEndpoint
from starlette.responses import Response

from partyplan.auth import client_secrets
from partyplan.auth.principal import is_within
from partyplan.auth.scopes import SCOPES
from partyplan.resolvers.oauth import rules, service

from .door import Doorway
from .grants import CodeGrant, RefreshGrant, S256Challenge, ServiceGrant
from .models import ClientModel, DoorRequest, Subject, TokenModel


class DoorServer(AuthorizationServer):
    def __init__(self, way: Doorway) -> None:
        super().__init__(scopes_supported=list(SCOPES))
        self.way = way
        self.register_token_generator("default", self._generate_token)
        self.register_grant(CodeGrant, [S256Challenge(required=True)])
        self.register_grant(RefreshGrant)
        self.register_grant(ServiceGrant)
        self.register_endpoint(Revocation)
        self.register_endpoint(Introspection)

    # --- storage -----------------------------------------------------------------------------

    def query_client(self, client_id: str | None) -> ClientModel | None:
        client = self.way.run(service.find_client(self.way.conn, client_id))
        return None if client is None else ClientModel(client)

    def save_token(self, token: dict[str, Any], request: DoorRequest) -> None:
        """Access tokens are signed, not stored; a refresh token is stored (as a digest) for
        its grant, expiring with it."""
        if "refresh_token" not in token:
            return
        subject: Subject = request.user
        way = self.way
        way.run(
            service.store_refresh_token(
                way.conn,
                grant_id=subject.grant_id,
                token=token["refresh_token"],
                now=way.now,
                expires_at=subject.grant_expires_at,
            )
        )

    def standing(self, subject: Subject) -> Subject | None:
        """``subject`` if its user can still act (active; the check every API request makes)."""
        principal = self.way.run(service.account(self.way.conn, subject.user_id))
        return None if principal is None else subject

    def _generate_token(
        self,
        grant_type: str,
        client: ClientModel,
        user: Subject | None = None,
        scope: str | None = None,
        expires_in: int | None = None,
        include_refresh_token: bool = True,
    ) -> dict[str, Any]:
        """Our EdDSA access token (``auth.tokens``) and, for a grant, a new opaque refresh
        token. The access token carries the grant id (``gid``) so that revoking the grant ends
        it, and never outlives the grant."""
        way = self.way
        if user is None:  # client credentials: the service's own account, no grant
            assert client.client.service_user_id is not None
            subject, grant_id, grant_expires_at = client.client.service_user_id, None, None
        else:
            subject, grant_id, grant_expires_at = user.user_id, user.grant_id, user.grant_expires_at
        ttl = rules.access_token_ttl(
            way.now, grant_expires_at, way.settings.oauth_access_token_ttl_seconds
        )
        token: dict[str, Any] = {
            "token_type": "Bearer",
            "access_token": way.tokens.mint(
                str(subject),
                ttl,
                client_id=client.client_id,
                scope=scope,
                grant_id=grant_id,
                now=int(way.now.timestamp()),
            ),
            "expires_in": ttl,
            "scope": scope,
        }
        if include_refresh_token and grant_id is not None:
            token["refresh_token"] = client_secrets.new_secret()
        return token

    # --- requests and responses -------------------------------------------------------------

    def create_oauth2_request(self, request: DoorRequest) -> DoorRequest:
        return request

    def create_json_request(self, request: Any) -> Any:
        raise NotImplementedError("no endpoint of ours takes JSON")

    def handle_response(self, status: int, body: Any, headers: list[tuple[str, str]]) -> Response:
        content = json.dumps(body).encode() if isinstance(body, dict) else (body or b"")
        return Response(content, status_code=status, headers=dict(headers))

    def send_signal(self, name: str, *args: Any, **kwargs: Any) -> None:
        """No signals: the doors need no listeners."""

    def get_authorization_grant(self, request: DoorRequest) -> Any:
        """authlib's own refusal of an unsupported response_type builds its description from
        the caller's text (and fails on any character RFC 6749 excludes); ours is fixed."""
        if request.payload.response_type != "code":
            client = self.query_client(request.payload.client_id)
            redirect_uri = request.payload.redirect_uri
            registered = client is not None and client.check_redirect_uri(redirect_uri)
            raise OAuth2Error(
                description="response_type must be code",
                error="unsupported_response_type",
                redirect_uri=redirect_uri if registered else None,
            )
        return super().get_authorization_grant(request)


class Revocation(RevocationEndpoint):
    """RFC 7009. A front end revokes with its client_id alone (it has no secret); a service
    authenticates. An unknown token is answered 200 and changes nothing (section 2.2); another
    client's token is refused (``invalid_grant``, authlib's reading of section 2.1) and stays."""

    server: DoorServer
    CLIENT_AUTH_METHODS = ["client_secret_basic", "client_secret_post", "none"]

    def query_token(self, token_string: str, token_type_hint: str | None) -> TokenModel | None:
        if not rules.is_vschar(token_string):
            return None
        way = self.server.way
        view = way.run(
            service.find_token(
                way.conn, way.tokens, token_string, token_type_hint, way.now, with_standing=False
            )
        )
        return None if view is None else TokenModel(view, way.now)

    def revoke_token(self, token: TokenModel, request: DoorRequest) -> None:
        way = self.server.way
        way.run(service.revoke(way.conn, token.view, way.now))


class Introspection(IntrospectionEndpoint):
    """RFC 7662, for confidential (service) clients only. A service may introspect the tokens
    of clients registered at its own unit or below it; any other token is ``active: false``,
    exactly as an unknown one."""

    server: DoorServer
    CLIENT_AUTH_METHODS = ["client_secret_basic", "client_secret_post"]

    def query_token(self, token_string: str, token_type_hint: str | None) -> TokenModel | None:
        if not rules.is_vschar(token_string):
            return None
        way = self.server.way
        view = way.run(
            service.find_token(
                way.conn, way.tokens, token_string, token_type_hint, way.now, with_standing=True
            )
        )
        return None if view is None else TokenModel(view, way.now)

    def check_permission(self, token: TokenModel, client: ClientModel, request: Any) -> bool:
        return is_within(token.view.client_unit_path, client.client.unit_path)

    def introspect_token(self, token: TokenModel) -> dict[str, Any]:
        view = token.view
        settings = self.server.way.settings
        payload: dict[str, Any] = {
            "active": True,
            "client_id": view.client_id,
            "scope": view.scope,
            "sub": str(view.subject),
            "username": view.username,
            "token_type": "Bearer" if view.kind == "access_token" else "refresh_token",
            "exp": view.expires_at,
            "iat": view.issued_at,
            "iss": settings.token_issuer,
        }
        if view.kind == "access_token":
            payload |= {"nbf": view.issued_at, "aud": settings.token_audience, "jti": view.token_id}
        return payload
