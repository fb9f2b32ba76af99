"""The pages a person sees: the authorization endpoint (consent), sign-in, the forced change of
an initial password, and sign-out.

Every POST is checked for its CSRF token before anything else is read or written (403, nothing
done). A sign-in checks the password with ``access.service.verify_password`` in a transaction
of its own, committed whatever the outcome (the failure counts and lockouts are the point of a
failure); a change of password is ``access.service.change_password``, whose proof of the
current password is counted the same way; everything else of a request runs in one door
transaction (``door.opened``).

The authorization request travels through the pages as its own query string: the sign-in and
password forms carry it in a hidden field and send the browser back to
``/oauth/authorize?<query>``, a fixed path, so no page of ours redirects anywhere a parameter
names; only authlib's answer to a validated request goes to the client's registered URI.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from authlib.common.urls import add_params_to_uri
from authlib.oauth2.rfc6749.errors import OAuth2Error
from sqlalchemy.ext.asyncio import AsyncEngine
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response

from partyplan.auth.principal import Principal
from partyplan.auth.scopes import SCOPES
from partyplan.resolvers.access import rules as access_rules
from partyplan.resolvers.access import service as access_service
from partyplan.resolvers.access.errors import AccountError
from partyplan.resolvers.errors import DomainError
from partyplan.resolvers.oauth import rules, service
from partyplan.tenants.session import Session

from ..console_client import CLIENT_ID as CONSOLE_CLIENT_ID
from ..platform import Platform
from ..settings import Settings
from . import door, forms, pages
from .authorization import DoorServer, Doorway
from .csrf import Csrf
from .messages import message_for
from .models import DoorRequest, Payload

SESSION_COOKIE = "pp_session"
MAX_USERNAME = 64
#: Longer than any password the rules accept: such input is refused without being checked.
MAX_PASSWORD_INPUT = 4 * access_rules.PASSWORD_MAX


class Pages:
    def __init__(self, platform: Platform, csrf: Csrf) -> None:
        self.platform = platform
        self.settings = platform.settings
        self.csrf = csrf

    @property
    def engine(self) -> AsyncEngine:
        assert self.platform.engine is not None
        return self.platform.engine

    # --- helpers -------------------------------------------------------------------------

    def _render(self, request: Request, build: Callable[[str], HTMLResponse]) -> Response:
        token, new_cookie = self.csrf.issue(request)
        return self.csrf.set_cookie(build(token), new_cookie)

    async def _posted(self, request: Request) -> forms.Pairs | Response:
        pairs = await forms.read_form(request)
        if pairs is None:
            return pages.bad_request()
        if not self.csrf.valid(request, forms.field(pairs, "csrf")):
            return pages.refused_form()
        return pairs

    def _sign_in_form(
        self,
        request: Request,
        query: str,
        failed: bool = False,
        status_code: int = 200,
        message: str | None = None,
    ) -> Response:
        message = pages.SIGN_IN_FAILED if failed else message
        # The province's provider, when one is configured (server/oauth/upstream.py).
        upstream = self.settings.oidc_display_name if self.settings.oidc_enabled else None
        return self._render(
            request, lambda token: pages.sign_in(token, query, message, status_code, upstream)
        )

    def _password_form(
        self, request: Request, query: str, message: str | None, status_code: int = 200
    ) -> Response:
        return self._render(
            request, lambda token: pages.change_password(token, query, message, status_code)
        )

    def _session_cookie(self, response: Response, value: str) -> None:
        response.set_cookie(
            SESSION_COOKIE,
            value,
            max_age=self.settings.web_session_ttl_seconds,
            path="/oauth",
            secure=self.settings.is_production,
            httponly=True,
            samesite="lax",
        )

    async def _signed_in(
        self, request: Request, now: datetime
    ) -> tuple[service.WebSession, Principal] | None:
        """The request's live session and its user's principal (in a door of its own)."""
        async with door.opened(self.engine) as opened:
            session = await service.current_session(
                opened.conn, request.cookies.get(SESSION_COOKIE), now
            )
            principal = (
                None if session is None else await service.account(opened.conn, session.user_id)
            )
        return None if session is None or principal is None else (session, principal)

    async def _verify(self, request: Request, username: str, password: str, now: datetime) -> Any:
        """``SignedIn`` or None; the attempt is committed whatever its outcome."""
        async with self.engine.begin() as conn:
            try:
                return await access_service.verify_password(
                    conn, username, password, _address(request), now
                )
            except AccountError:
                return None

    # --- /oauth/authorize ------------------------------------------------------------------

    async def authorize(self, request: Request) -> Response:
        decision = None
        if request.method == "POST":
            posted = await self._posted(request)
            if isinstance(posted, Response):
                return posted
            query = forms.carried_query(forms.field(posted, "query") or "")
            decision = forms.field(posted, "decision")
            if decision not in ("approve", "deny"):
                return pages.bad_request()
        else:
            query = forms.carried_query(forms.raw_query(request))
        params = forms.protocol_parameters(
            None if query is None else forms.parse(query), unique=False
        )
        if query is None or params is None:
            return pages.bad_request()
        async with door.opened(self.engine) as opened:
            response = await self._authorize(request, opened, query, params, decision)
            if response.status_code >= 400:
                opened.fail()
        return response

    async def _authorize(
        self,
        request: Request,
        opened: door.Door,
        query: str,
        params: forms.Pairs,
        decision: str | None,
    ) -> Response:
        now = datetime.now(UTC)
        server = DoorServer(Doorway(opened, self.settings, self.platform.tokens, now))
        uri = f"{self.settings.public_url}/oauth/authorize?{query}"
        oauth_request = DoorRequest("GET", uri, request.headers, Payload(params), form=False)
        try:
            grant = await opened.call(server.get_consent_grant, oauth_request)
        except OAuth2Error as error:
            if error.redirect_uri is None:
                return pages.authorization_error(error.error or "invalid_request")
            return _after(
                request, server.handle_error_response(oauth_request, error), self.settings
            )
        session = await service.current_session(
            opened.conn, request.cookies.get(SESSION_COOKIE), now
        )
        if session is None:
            return self._sign_in_form(request, query)
        if session.must_change_password:
            return RedirectResponse(_with_query("/oauth/password", query), 303)
        principal = await service.account(opened.conn, session.user_id)
        if principal is None:
            return self._sign_in_form(request, query)
        if decision is None and grant.request.client.client.client_id == CONSOLE_CLIENT_ID:
            # The platform's own console asks for nothing the person's roles do not already
            # give, and its code can only return to the console's registered address.
            decision = "approve"
        if decision is None:
            name = grant.request.client.client.name
            titles = [SCOPES[scope].title for scope in oauth_request.scope.split()]
            return self._render(
                request,
                lambda token: pages.consent(token, query, name, principal.display_name, titles),
            )
        approved = principal if decision == "approve" else None
        answer = await opened.call(
            server.create_authorization_response, oauth_request, approved, grant
        )
        return _after(request, answer, self.settings)

    # --- /oauth/sign-in --------------------------------------------------------------------

    async def sign_in(self, request: Request) -> Response:
        if request.method == "GET":
            signed_in = await self._signed_in(request, datetime.now(UTC))
            if signed_in is None:
                return self._sign_in_form(request, "")
            name = signed_in[1].display_name
            return self._render(request, lambda token: pages.signed_in(token, name))
        posted = await self._posted(request)
        if isinstance(posted, Response):
            return posted
        query = forms.carried_query(forms.field(posted, "query") or "")
        if query is None:
            return pages.bad_request()
        username = forms.field(posted, "username")
        password = forms.field(posted, "password")
        if not (
            forms.is_text(username, MAX_USERNAME) and forms.is_text(password, MAX_PASSWORD_INPUT)
        ):
            # Malformed, whatever the account: the same message, as a 400.
            return self._sign_in_form(request, query, failed=True, status_code=400)
        assert username is not None and password is not None
        now = datetime.now(UTC)
        signed = await self._verify(request, username, password, now)
        if signed is None:
            return self._sign_in_form(request, query, failed=True)
        async with door.opened(self.engine) as opened:
            # A new id on every sign-in; whatever session the browser had ends.
            await service.end_session(opened.conn, request.cookies.get(SESSION_COOKIE), now)
            session_id = await service.start_session(
                opened.conn,
                user_id=signed.user_id,
                must_change_password=signed.must_change_password,
                now=now,
                ttl=timedelta(seconds=self.settings.web_session_ttl_seconds),
            )
        if signed.must_change_password:
            target = _with_query("/oauth/password", query)
        else:
            target = _with_query("/oauth/authorize", query) if query else "/oauth/sign-in"
        response = RedirectResponse(target, 303)
        self._session_cookie(response, session_id)
        return response

    # --- /oauth/password -------------------------------------------------------------------

    async def password(self, request: Request) -> Response:
        if request.method == "GET":
            query = forms.carried_query(forms.raw_query(request))
            if query is None:
                return pages.bad_request()
            if await self._signed_in(request, datetime.now(UTC)) is None:
                return self._sign_in_form(request, query)
            return self._password_form(request, query, None)
        posted = await self._posted(request)
        if isinstance(posted, Response):
            return posted
        query = forms.carried_query(forms.field(posted, "query") or "")
        if query is None:
            return pages.bad_request()
        current, new, repeat = (forms.field(posted, name) for name in ("current", "new", "repeat"))
        if not all(forms.is_text(v, MAX_PASSWORD_INPUT) for v in (current, new, repeat)):
            return self._password_form(request, query, message_for(None), 400)
        assert current is not None and new is not None and repeat is not None
        now = datetime.now(UTC)
        try:
            rules.check_repeated(new, repeat)
            async with door.opened(self.engine) as opened:
                # Nothing is written before the change: its proof of the current password runs
                # in a transaction of its own, which must not wait on a row this one holds.
                session = await service.current_session(
                    opened.conn, request.cookies.get(SESSION_COOKIE), now, touch=False
                )
                principal = (
                    None if session is None else await service.account(opened.conn, session.user_id)
                )
                if session is None or principal is None:
                    return self._sign_in_form(request, query)
                await access_service.change_password(
                    Session(opened.conn, principal),
                    current_password=current,
                    new_password=new,
                    source_address=_address(request),
                    own_transaction=self.engine.begin,
                )
                await service.password_changed(opened.conn, session)
        except DomainError as error:  # the door rolled back (a wrong current one stays counted)
            return self._password_form(request, query, message_for(error.code))
        target = _with_query("/oauth/authorize", query) if query else "/oauth/sign-in"
        return RedirectResponse(target, 303)

    # --- /oauth/sign-out -------------------------------------------------------------------

    async def sign_out(self, request: Request) -> Response:
        posted = await self._posted(request)
        if isinstance(posted, Response):
            return posted
        query = forms.carried_query(forms.field(posted, "query") or "") or ""
        async with door.opened(self.engine) as opened:
            await service.end_session(
                opened.conn, request.cookies.get(SESSION_COOKIE), datetime.now(UTC)
            )
        response: Response = (
            RedirectResponse(_with_query("/oauth/authorize", query), 303)
            if query
            else pages.signed_out()
        )
        response.delete_cookie(SESSION_COOKIE, path="/oauth")
        return response


def _address(request: Request) -> str:
    return request.client.host if request.client else access_service.UNKNOWN_ADDRESS


def _with_query(path: str, query: str) -> str:
    return f"{path}?{query}" if query else path


def _after(request: Request, response: Response, settings: Settings) -> Response:
    """An authorization response to the client. authlib answers a redirect with 302; after a
    form's POST, 303 says plainly that the browser must follow with a GET. Every redirect to
    the client, a code or an error, names us (RFC 9207's ``iss``), so that a client talking to
    several servers can tell whose answer it holds (the mix-up attack)."""
    location = response.headers.get("location")
    if location is not None:
        response.headers["location"] = add_params_to_uri(location, {"iss": settings.public_url})
    if request.method == "POST" and response.status_code == 302:
        response.status_code = 303
    response.headers["Cache-Control"] = "no-store"
    return response
