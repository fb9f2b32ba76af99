"""authlib's grant types, fitted to the doors: the authorization code with PKCE (S256 only),
the refresh token with rotation and reuse detection, and client credentials for services.

Each storage hook runs on the request's door transaction through ``self.server.way`` (the
bridge of ``door.py``). Error descriptions are fixed ASCII text: nothing the caller sent is
echoed in them (authlib refuses a description outside RFC 6749's character set with an
exception of its own, which would otherwise turn hostile input into a 500).
"""

from __future__ import annotations

from typing import Any, Protocol

from authlib.oauth2.rfc6749 import grants
from authlib.oauth2.rfc6749.errors import (
    InvalidClientError,
    InvalidGrantError,
    InvalidRequestError,
    InvalidScopeError,
)
from authlib.oauth2.rfc7636 import CodeChallenge
from authlib.oauth2.rfc7636.challenge import compare_s256_code_challenge

from partyplan.auth import client_secrets
from partyplan.auth.principal import Principal
from partyplan.resolvers.oauth import rules, service
from partyplan.resolvers.oauth.errors import OAuthError

from .door import Doorway
from .models import ClientModel, CodeModel, DoorRequest, RefreshModel, Subject


class DoorServer(Protocol):
    """What the grants use of the server (``authorization.DoorServer``)."""

    way: Doorway

    def standing(self, subject: Subject) -> Subject | None: ...


class S256Challenge(CodeChallenge):
    """PKCE (RFC 7636), required of every code request and only with S256: authlib's own
    extension lets a request without a challenge through at the authorization endpoint and
    defaults a missing method to "plain", which RFC 9700 section 2.1.1 rules out."""

    DEFAULT_CODE_CHALLENGE_METHOD = "S256"
    SUPPORTED_CODE_CHALLENGE_METHOD = ["S256"]
    CODE_CHALLENGE_METHODS = {"S256": compare_s256_code_challenge}

    def validate_code_challenge(self, grant: Any, redirect_uri: str) -> None:
        data = grant.request.payload.data
        if not data.get("code_challenge"):
            raise InvalidRequestError("Missing 'code_challenge'")
        if data.get("code_challenge_method") != "S256":
            raise InvalidRequestError("code_challenge_method must be S256")
        super().validate_code_challenge(grant, redirect_uri)


class CodeGrant(grants.AuthorizationCodeGrant):
    server: DoorServer
    request: DoorRequest
    # Only front ends use the code flow, and they are public clients.
    TOKEN_ENDPOINT_AUTH_METHODS = ["none"]

    @staticmethod
    def validate_authorization_redirect_uri(request: DoorRequest, client: ClientModel) -> str:
        uri = request.payload.redirect_uri
        if not client.check_redirect_uri(uri):
            raise InvalidRequestError("redirect_uri is missing or not registered for the client")
        return uri

    def generate_authorization_code(self) -> str:
        return client_secrets.new_secret()

    def save_authorization_code(self, code: str, request: DoorRequest) -> None:
        way = self.server.way
        person: Principal = request.user  # the signed-in user who approved (web.py)
        data = request.payload.data
        way.run(
            service.issue_code(
                way.conn,
                code=code,
                client=request.client.client,
                user_id=person.user_id,
                scope=request.scope,
                redirect_uri=data["redirect_uri"],
                code_challenge=data["code_challenge"],
                code_challenge_method=data["code_challenge_method"],
                now=way.now,
                code_ttl=way.code_ttl,
                grant_ttl=way.grant_ttl,
            )
        )

    def query_authorization_code(self, code: str, client: ClientModel) -> CodeModel | None:
        if not rules.is_vschar(code):
            return None
        way = self.server.way
        redemption = way.run(
            service.redeem_code(way.conn, code=code, client=client.client, now=way.now)
        )
        if redemption.outcome is rules.Outcome.REUSED:
            way.door.keep_writes()
        return CodeModel(redemption) if redemption.outcome is rules.Outcome.GOOD else None

    def delete_authorization_code(self, authorization_code: CodeModel) -> None:
        """Nothing: the code was marked spent when it was redeemed (in this transaction)."""

    def authenticate_user(self, authorization_code: CodeModel) -> Subject | None:
        return self.server.standing(authorization_code.subject)


class RefreshGrant(grants.RefreshTokenGrant):
    server: DoorServer
    request: DoorRequest
    TOKEN_ENDPOINT_AUTH_METHODS = ["none"]
    # Rotation: every refresh answers with a new refresh token; the presented one is spent.
    INCLUDE_NEW_REFRESH_TOKEN = True

    def authenticate_refresh_token(self, refresh_token: str) -> RefreshModel | None:
        if not rules.is_vschar(refresh_token):
            return None
        way = self.server.way
        client: ClientModel = self.request.client
        redemption = way.run(
            service.redeem_refresh_token(
                way.conn, token=refresh_token, client=client.client, now=way.now
            )
        )
        if redemption.outcome is rules.Outcome.REUSED:
            way.door.keep_writes()
        return RefreshModel(redemption) if redemption.outcome is rules.Outcome.GOOD else None

    def authenticate_user(self, refresh_token: RefreshModel) -> Subject:
        subject = self.server.standing(refresh_token.subject)
        if subject is None:  # authlib would call this invalid_request; the grant is what fails
            raise InvalidGrantError("The grant's user cannot act.")
        return subject

    def issue_token(self, user: Subject, refresh_token: RefreshModel) -> dict[str, Any]:
        try:
            scope = rules.narrow_scope(self.request.payload.scope, refresh_token.get_scope() or "")
        except OAuthError as error:
            raise InvalidScopeError() from error
        return self.generate_token(user=user, scope=scope, include_refresh_token=True)

    def revoke_old_credential(self, refresh_token: RefreshModel) -> None:
        """Nothing: the presented token was spent when it was redeemed."""


class ServiceGrant(grants.ClientCredentialsGrant):
    """Client credentials, for confidential service clients only. The token's subject is the
    client's own service account, so what it reaches is that account's role bindings."""

    server: DoorServer
    request: DoorRequest
    TOKEN_ENDPOINT_AUTH_METHODS = ["client_secret_basic", "client_secret_post"]

    def validate_token_request(self) -> None:
        super().validate_token_request()
        client: ClientModel = self.request.client
        try:
            self.request.scope = rules.resolve_scope(
                self.request.payload.scope, client.client.allowed_scopes, default_all=True
            )
        except OAuthError as error:
            raise InvalidScopeError() from error
        assert client.client.service_user_id is not None  # a service has its account (0012)
        way = self.server.way
        if way.run(service.account(way.conn, client.client.service_user_id)) is None:
            raise InvalidClientError(description="The client's service account cannot act.")

    def create_token_response(self) -> tuple[int, dict[str, Any], list[tuple[str, str]]]:
        token = self.generate_token(scope=self.request.scope, include_refresh_token=False)
        self.save_token(token)
        return 200, token, self.TOKEN_RESPONSE_HEADER
