"""Authorization codes: issued with their grant at consent, exchanged once.

A code is single use, short-lived, and bound to its client, redirect URI and PKCE challenge.
Presenting a spent code again revokes its grant (RFC 6749 section 4.1.2: "SHOULD revoke all
tokens previously issued based on that authorization code"), so the access and refresh
tokens issued from it are refused from the next request on.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncConnection

from partyplan.auth import client_secrets

from .. import repository, rules


async def issue_code(
    conn: AsyncConnection,
    *,
    code: str,
    client: rules.Client,
    user_id: int,
    scope: str,
    redirect_uri: str,
    code_challenge: str,
    code_challenge_method: str,
    now: datetime,
    code_ttl: timedelta,
    grant_ttl: timedelta,
) -> None:
    """A new grant and its ``code`` (``client_secrets.new_secret()``, handed to the client
    once), stored as a digest."""
    grant_id = await repository.insert_grant(
        conn, client_pk=client.pk, user_id=user_id, scope=scope, now=now, expires_at=now + grant_ttl
    )
    await repository.insert_code(
        conn,
        code_hash=client_secrets.digest(code),
        grant_id=grant_id,
        redirect_uri=redirect_uri,
        code_challenge=code_challenge,
        code_challenge_method=code_challenge_method,
        expires_at=now + code_ttl,
    )


@dataclass(frozen=True, slots=True)
class CodeRedemption:
    outcome: rules.Outcome
    grant_id: int | None = None
    user_id: int | None = None
    scope: str | None = None
    redirect_uri: str | None = None
    code_challenge: str | None = None
    code_challenge_method: str | None = None
    grant_expires_at: datetime | None = None


async def redeem_code(
    conn: AsyncConnection, *, code: str, client: rules.Client, now: datetime
) -> CodeRedemption:
    """Spend ``code`` for ``client``. GOOD: it is marked used (the caller checks the redirect
    URI and the PKCE verifier next; a failure there rolls the spending back with the rest).
    REUSED: its grant is revoked, a write the caller must commit although it refuses the
    request. WORTHLESS: nothing was written."""
    code_hash = client_secrets.digest(code)
    row = await repository.code_for_update(conn, code_hash)
    outcome = rules.judge_row(
        row,
        spent=row is not None and row.used_at is not None,
        presenting_client_pk=client.pk,
        now=now,
    )
    if outcome is rules.Outcome.REUSED:
        assert row is not None
        await repository.revoke_grant(conn, row.grant_id, now, "code reused")
    if outcome is not rules.Outcome.GOOD:
        return CodeRedemption(outcome)
    assert row is not None
    await repository.spend_code(conn, code_hash, now)
    return CodeRedemption(
        outcome,
        grant_id=row.grant_id,
        user_id=row.user_id,
        scope=row.scope,
        redirect_uri=row.redirect_uri,
        code_challenge=row.code_challenge,
        code_challenge_method=row.code_challenge_method,
        grant_expires_at=row.grant_expires_at,
    )
