"""Signing in on the word of the province's identity provider: the account it names (the
session that follows is ``sessions.start_session``'s, under the id the sign-in chose).

The provider names a person by one claim (``oidc_claim``), which must equal the username of an
active person's account here. Usernames are lower-case ASCII (``access.rules``); the claim is
compared after lower-casing ASCII only, so that no other script's case folding can make two
names at the provider one account here (``"\\u212aate".lower()`` is ``"kate"``). A service's
account never signs in this way, nor an inactive one. A lock from failed passwords does not
bar it: the lock guards the password, which plays no part here.
"""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncConnection

from partyplan.auth import client_secrets
from partyplan.auth.principal import Principal
from partyplan.resolvers.access import repository as access_repository
from partyplan.resolvers.access import rules as access_rules
from partyplan.resolvers.access import service as access_service
from partyplan.resolvers.access.errors import AccountError
from partyplan.tenants.session import Session

from .. import repository
from .accounts import account


def username_of(claim: object) -> str | None:
    """The username a claim value names, or None when it could name none of ours."""
    if isinstance(claim, int) and not isinstance(claim, bool):
        claim = str(claim)
    if not isinstance(claim, str) or not claim.isascii():
        return None
    username = claim.lower()
    try:
        # As given, save for case: no trimming of what the provider vouched for.
        return username if access_rules.clean_username(username) == username else None
    except AccountError:
        return None


async def vouched_person(conn: AsyncConnection, claim: object, address: str) -> Principal | None:
    """The active person's account the claim names, bound to the door's transaction; None
    for no account, an inactive one or a service's (one answer: the page says no more).

    The account is found the way a password sign-in finds it (``app_sign_in_state``: no
    principal is bound yet, so no policy would show a user), then bound as every request binds
    its caller, which also refuses an inactive account."""
    username = username_of(claim)
    if username is None:
        return None
    state = await access_repository.sign_in_state(conn, username, address)
    if state.user_id is None or not state.active:
        return None
    principal = await account(conn, state.user_id)
    if principal is None:
        return None
    user = await access_service.own_account(Session(conn, principal))
    return principal if user.kind == "person" else None


async def session_started(conn: AsyncConnection, session_id: str) -> bool:
    """Whether a session with this id exists, live or ended (a replayed callback)."""
    return await repository.web_session(conn, client_secrets.digest(session_id)) is not None
