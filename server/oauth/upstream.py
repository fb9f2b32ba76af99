"""Signing in through the province's own identity provider (OpenID Connect), where one is
configured (``oidc_issuer``; otherwise these routes do not exist and the sign-in page shows no
button).

``POST /oauth/upstream/start`` (the sign-in page's button, CSRF-checked like every form) sends
the browser to the provider with the authorization code flow: PKCE (S256), a ``state`` and a
``nonce``, our ``redirect_uri`` ``<public_url>/oauth/upstream/callback``. What must survive the
trip is sealed in a cookie (``upstream_state``). ``GET /oauth/upstream/callback`` checks the
``state`` against that cookie, has the code exchanged and the ID token verified
(``provider``), and signs in the active person's account whose username the configured claim
names, exactly as the password form does (a new sign-in session in ``pp_session``; never an
initial password to change, the provider vouches for the person), then goes on to the pending
authorization request.

Every failure ends on the sign-in page with one message, never a 500: an expired, forged or
replayed callback, the provider's refusal (``error=access_denied``: the person cancelled), a
provider that cannot be reached or answers wrongly, an ID token that fails verification, and
one message for any claim that names no active person's account here (no account, an inactive
one, a service's: which one is not said). These refusals are logged (``partyplan.oauth.
upstream``); they are not counted towards the password lockouts, which guard a secret that is
not in play here.
"""

from __future__ import annotations

import hmac
import logging
from datetime import UTC, datetime, timedelta

from sqlalchemy.exc import IntegrityError
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from partyplan.resolvers.oauth import rules, service
from partyplan.resolvers.oauth.service import upstream as upstream_service

from ..platform import Platform
from . import door, forms, pages
from .csrf import Csrf
from .provider import CALLBACK, Provider, ProviderError
from .upstream_state import Pending, PendingCookie
from .web import SESSION_COOKIE, Pages, _address, _with_query

log = logging.getLogger("partyplan.oauth.upstream")

START = "/oauth/upstream/start"
#: The callback's parameters we read; any other is ignored (a provider may add its own).
_FIELDS = ("code", "state", "error", "iss")


def routes(platform: Platform, csrf: Csrf) -> list[Route]:
    if not platform.settings.oidc_enabled:
        return []
    upstream = UpstreamPages(platform, csrf)
    return [
        Route(START, upstream.start, methods=["POST"]),
        Route(CALLBACK, upstream.callback, methods=["GET"]),
    ]


class UpstreamPages(Pages):
    def __init__(self, platform: Platform, csrf: Csrf) -> None:
        super().__init__(platform, csrf)
        self.provider = Provider(self.settings)
        self.pending = PendingCookie(platform.keys.signing_key, secure=self.settings.is_production)
        name = self.settings.oidc_display_name
        self.messages = {
            "expired": "登录请求已失效或已经使用，请重新登录。",
            "denied": f"已取消通过{name}登录。",
            "unavailable": f"{name}暂时无法使用，请稍后再试，或使用用户名和密码登录。",
            "refused": f"{name}未能完成登录，请重新登录。",
            "invalid": f"{name}的登录结果无法验证，请重新登录。",
            "no_account": f"{name}已确认你的身份，但本系统中没有与之对应的可用账号。"
            "请联系你所在单位的管理员。",
        }

    # --- POST /oauth/upstream/start --------------------------------------------------------

    async def start(self, request: Request) -> Response:
        posted = await self._posted(request)
        if isinstance(posted, Response):
            return posted
        query = forms.carried_query(forms.field(posted, "query") or "")
        if query is None:
            return pages.bad_request()
        pending = Pending.new(query)
        if not self.pending.fits(pending):
            return pages.bad_request()
        try:
            url = await self.provider.authorization_url(
                state=pending.state, nonce=pending.nonce, verifier=pending.verifier
            )
        except ProviderError as error:
            log.warning("sign-in through the provider could not start: %s", error)
            return self._sign_in_form(
                request, query, message=self.messages[error.kind], status_code=502
            )
        response = RedirectResponse(url, 303)
        response.headers["Cache-Control"] = "no-store"
        self.pending.set(response, pending)
        return response

    # --- GET /oauth/upstream/callback ------------------------------------------------------

    async def callback(self, request: Request) -> Response:
        """Every answer deletes the pending cookie: a callback is good for one try."""
        response = await self._callback(request)
        response.headers["Cache-Control"] = "no-store"
        self.pending.delete(response)
        return response

    async def _callback(self, request: Request) -> Response:
        params = _parameters(request)
        if params is None:
            return pages.bad_request()
        pending = self.pending.open(request)
        if pending is None:
            return self._failed(request, "", "expired", 400)
        query = pending.query
        state = params.get("state", "")
        if not hmac.compare_digest(state.encode(), pending.state.encode()):
            return self._failed(request, query, "expired", 400)
        if "iss" in params and params["iss"] != self.provider.issuer:
            # RFC 9207: an answer from another issuer (a mix-up) is no answer of ours.
            return self._failed(request, query, "invalid", 400)
        if "error" in params:
            log.info("the provider answered the sign-in with error=%s", params["error"])
            denied = params["error"] == "access_denied"
            return self._failed(request, query, "denied" if denied else "refused", 200)
        code = params.get("code")
        if not code:
            return pages.bad_request()
        async with door.opened(self.engine) as opened:
            replayed = await upstream_service.session_started(opened.conn, pending.session_id)
        if replayed:
            log.warning("a callback from the provider was presented again")
            return self._failed(request, query, "expired", 400)
        try:
            claim = await self.provider.vouch(
                code=code, verifier=pending.verifier, nonce=pending.nonce
            )
        except ProviderError as error:
            log.warning("sign-in through the provider failed: %s", error)
            return self._failed(request, query, error.kind, 502)
        return await self._sign_in(request, pending, claim)

    async def _sign_in(self, request: Request, pending: Pending, claim: object) -> Response:
        now = datetime.now(UTC)
        try:
            async with door.opened(self.engine) as opened:
                principal = await upstream_service.vouched_person(
                    opened.conn, claim, _address(request)
                )
                if principal is not None:
                    # A new id on every sign-in; whatever session the browser had ends.
                    await service.end_session(opened.conn, request.cookies.get(SESSION_COOKIE), now)
                    # The provider has vouched for the person: no initial password to change.
                    await service.start_session(
                        opened.conn,
                        session_id=pending.session_id,
                        user_id=principal.user_id,
                        must_change_password=False,
                        now=now,
                        ttl=timedelta(seconds=self.settings.web_session_ttl_seconds),
                    )
                else:
                    opened.fail()
        except IntegrityError:
            # The same callback, at the same moment: the other one has the session.
            log.warning("a callback from the provider was presented twice at once")
            return self._failed(request, pending.query, "expired", 400)
        if principal is None:
            log.warning(
                "the provider vouched for %s=%.80r, which names no active person's account",
                self.provider.claim,
                claim,
            )
            return self._failed(request, pending.query, "no_account", 200)
        query = pending.query
        target = _with_query("/oauth/authorize", query) if query else "/oauth/sign-in"
        response = RedirectResponse(target, 303)
        self._session_cookie(response, pending.session_id)
        return response

    def _failed(self, request: Request, query: str, kind: str, status_code: int) -> Response:
        return self._sign_in_form(
            request, query, message=self.messages[kind], status_code=status_code
        )


def _parameters(request: Request) -> dict[str, str] | None:
    """The callback's parameters we read, each once and printable ASCII; None for a query
    that is not (non-ASCII bytes, bad percent-escapes, NUL, too long)."""
    raw = forms.raw_query(request)
    if raw is None or len(raw) > forms.MAX_QUERY:
        return None
    pairs = forms.parse(raw)
    if pairs is None:
        return None
    chosen = [(name, value) for name, value in pairs if name in _FIELDS]
    if len({name for name, _ in chosen}) != len(chosen):
        return None
    if not all(rules.is_vschar(value) for _, value in chosen):
        return None
    return dict(chosen)
