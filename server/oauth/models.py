"""What authlib is handed: adapters from the doors' domain objects to its model mixins, the
request wrapper it reads parameters from, and the subject a token is issued to."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime

from authlib.oauth2.rfc6749 import (
    AuthorizationCodeMixin,
    ClientMixin,
    OAuth2Payload,
    OAuth2Request,
    TokenMixin,
)

from partyplan.auth import client_secrets
from partyplan.resolvers.oauth import rules, service
from partyplan.resolvers.oauth.errors import OAuthError

SECRET_METHODS = ("client_secret_basic", "client_secret_post")


class Payload(OAuth2Payload):
    """Parameters as authlib reads them: ``data`` keeps each name's first value, ``datalist``
    all of them (authlib refuses some repeated parameters; the glue refuses the rest)."""

    def __init__(self, items: Iterable[tuple[str, str]]) -> None:
        self._datalist: defaultdict[str, list[str]] = defaultdict(list)
        for name, value in items:
            self._datalist[name].append(value)
        self._data = {name: values[0] for name, values in self._datalist.items()}

    @property
    def data(self) -> dict[str, str]:
        return self._data

    @property
    def datalist(self) -> defaultdict[str, list[str]]:
        return self._datalist


class DoorRequest(OAuth2Request):
    """An authlib request built from a Starlette one. ``uri`` is built from the configured
    public URL (the issuer), not from the Host header, so authlib's transport check judges
    the address the operator declared rather than whatever a proxy forwarded."""

    def __init__(
        self, method: str, uri: str, headers: Mapping[str, str], payload: Payload, form: bool
    ) -> None:
        super().__init__(method, uri, headers=headers)
        self.payload = payload
        self._form = payload.data if form else {}

    @property
    def args(self) -> dict[str, str]:
        return self.payload.data

    @property
    def form(self) -> dict[str, str]:
        return self._form


@dataclass(frozen=True, slots=True)
class Subject:
    """Whom a token speaks for: a user through a grant (code and refresh flows)."""

    user_id: int
    grant_id: int
    grant_expires_at: datetime


class ClientModel(ClientMixin):
    def __init__(self, client: rules.Client) -> None:
        self.client = client
        self.client_id = client.client_id

    def get_client_id(self) -> str:
        return self.client.client_id

    def get_default_redirect_uri(self) -> None:
        return None  # redirect_uri is always required, and matched exactly

    def get_allowed_scope(self, scope: str | None) -> str | None:
        try:
            return rules.resolve_scope(scope, self.client.allowed_scopes, default_all=False)
        except OAuthError:
            return None

    def check_redirect_uri(self, redirect_uri: str | None) -> bool:
        return rules.redirect_registered(redirect_uri, self.client)

    def check_client_secret(self, client_secret: str) -> bool:
        return not self.client.public and client_secrets.matches(
            self.client.secret_hash, client_secret
        )

    def check_endpoint_auth_method(self, method: str, endpoint: str) -> bool:
        """A front end is public: it proves nothing, and may only exchange codes, refresh and
        revoke. A service is confidential: its secret, in the header or the body."""
        if self.client.public:
            return method == "none" and endpoint in ("token", "revocation")
        return method in SECRET_METHODS

    def check_response_type(self, response_type: str) -> bool:
        return self.client.public and response_type == "code"

    def check_grant_type(self, grant_type: str) -> bool:
        if self.client.public:
            return grant_type in ("authorization_code", "refresh_token")
        return grant_type == "client_credentials"


class CodeModel(AuthorizationCodeMixin):
    def __init__(self, redemption: service.CodeRedemption) -> None:
        assert redemption.user_id is not None and redemption.grant_id is not None
        assert redemption.grant_expires_at is not None
        self.redemption = redemption
        self.code_challenge = redemption.code_challenge
        self.code_challenge_method = redemption.code_challenge_method
        self.subject = Subject(redemption.user_id, redemption.grant_id, redemption.grant_expires_at)

    def get_redirect_uri(self) -> str | None:
        return self.redemption.redirect_uri

    def get_scope(self) -> str | None:
        return self.redemption.scope


class RefreshModel(TokenMixin):
    """A refresh token already spent for the presenting client (``redeem_refresh_token``)."""

    def __init__(self, redemption: service.RefreshRedemption) -> None:
        assert redemption.user_id is not None and redemption.grant_id is not None
        assert redemption.grant_expires_at is not None
        self.redemption = redemption
        self.subject = Subject(redemption.user_id, redemption.grant_id, redemption.grant_expires_at)

    def check_client(self, client: ClientModel) -> bool:
        return True  # redeemed for this very client, or not at all

    def get_scope(self) -> str | None:
        return self.redemption.scope


class TokenModel(TokenMixin):
    """A token presented for revocation or introspection."""

    def __init__(self, view: service.TokenView, now: datetime) -> None:
        self.view = view
        self._now = now

    def check_client(self, client: ClientModel) -> bool:
        return self.view.client_id == client.client_id

    def get_scope(self) -> str:
        return self.view.scope

    def get_expires_in(self) -> int:
        return self.view.expires_at - self.view.issued_at

    def is_expired(self) -> bool:
        return self.view.expires_at <= self._now.timestamp()

    def is_revoked(self) -> bool:
        return not self.view.stands
