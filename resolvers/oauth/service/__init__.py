"""The doors' operations, one module per topic: clients, codes, tokens, accounts, sessions,
and the repeated entry of a new password. Each takes the request's door connection
(``open_door``, from ``tenants.binding``, already run) and never commits: the HTTP glue owns
the transaction (``server/oauth/door.py``)."""

from __future__ import annotations

from partyplan.tenants.binding import open_door

from .accounts import account
from .clients import find_client
from .codes import CodeRedemption, issue_code, redeem_code
from .sessions import (
    WebSession,
    current_session,
    end_session,
    password_changed,
    start_session,
)
from .tokens import (
    RefreshRedemption,
    TokenView,
    find_token,
    redeem_refresh_token,
    revoke,
    store_refresh_token,
)

__all__ = [
    "CodeRedemption",
    "RefreshRedemption",
    "TokenView",
    "WebSession",
    "account",
    "current_session",
    "end_session",
    "find_client",
    "find_token",
    "issue_code",
    "open_door",
    "password_changed",
    "redeem_code",
    "redeem_refresh_token",
    "revoke",
    "start_session",
    "store_refresh_token",
]
