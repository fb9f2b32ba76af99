"""Operations on the client registry: find the client or unit through the caller's scope,
check ``client.manage`` there, apply the rules, write, audit. Services never commit.

A **service** client acts as an account of its own (``users.kind = 'service'``, username from
its client id, home at the client's unit), holding the roles given at registration there: its
tokens reach what those roles reach, narrowed to the token's scopes, like a person's. The
account has no credential row: it has no password and can never sign in (the access domain
refuses to reset its password or edit it).

The secret is shown once, in the answer to ``register_client`` or ``rotate_client_secret``;
only its SHA-256 digest is stored (``auth.client_secrets``), and no audit entry holds either.

**Disabling** a client refuses its tokens from the next request on (``app_token_valid``, asked
by ``tenants/binding.py``), and deactivates a service's account too: the account exists only
to act for the client, and an operator's token minted for it (``partyplan token``, no client)
would otherwise outlive the client. A disabled client stays, for the audit trail.

**Origins.** The CORS middleware caches the active clients' origins for a few seconds;
:func:`origins_version` changes once a transaction that changed them commits, so this
process's cache refreshes at once (other processes within the cache's lifetime).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from partyplan.auth import client_secrets
from partyplan.auth.permissions import Permission
from partyplan.resolvers.access import repository as access_repository
from partyplan.resolvers.access import rules as access_rules
from partyplan.resolvers.access.errors import AccountError
from partyplan.resolvers.audit import repository as audit
from partyplan.resolvers.errors import DomainError, ValidationErrors
from partyplan.resolvers.paging import Keyset, Page
from partyplan.resolvers.units.rules import inactive
from partyplan.resolvers.units.service import visible as visible_unit
from partyplan.tenants.session import Session

from . import repository, rules
from .errors import ClientError, ClientErrorCode

_origins_version = 0


def origins_version() -> int:
    """Changes whenever a committed transaction of this process changed the origins."""
    return _origins_version


def _origins_changed() -> None:
    global _origins_version
    _origins_version += 1


async def allowed_origins(conn: AsyncConnection) -> frozenset[str]:
    """Every active client's origin; ``conn`` is in a transaction of its own (a door's)."""
    return await repository.active_origins(conn)


@dataclass(frozen=True, slots=True)
class Issued:
    """A client and, for a service just registered or rotated, its secret in clear (once)."""

    client: sa.Row
    secret: str | None


_AUDITED = (
    "client_id",
    "name",
    "kind",
    "unit_id",
    "redirect_uris",
    "allowed_origins",
    "allowed_scopes",
    "trusted_documents_only",
    "cost_budget",
    "requests_per_minute",
    "active",
    "service_user_id",
    "secret_set_at",
    "disabled_at",
)


def _snapshot(row: sa.Row, **extra: object) -> dict[str, object]:
    return {key: getattr(row, key) for key in _AUDITED} | extra


async def _audit(
    session: Session,
    operation: str,
    before: dict[str, object] | None,
    after: sa.Row,
    **extra: object,
) -> None:
    await audit.append(
        session,
        operation=operation,
        object_type="OAuthClient",
        object_id=after.id,
        unit_id=after.unit_id,
        school_id=after.school_id,
        before=before,
        after=_snapshot(after, **extra),
    )


_DISABLED = "该客户端已停用"


async def visible_client(session: Session, client_pk: int, field: str = "id") -> sa.Row:
    """The client if the caller reaches its unit (else NOT_FOUND), with ``client.manage``
    there (else FORBIDDEN)."""
    row = await repository.get_client(session, client_pk)
    return session.reach(row, f"该客户端（{field}）", Permission.CLIENT_MANAGE)


async def _grantable_roles(
    session: Session, roles: Sequence[tuple[int, str]], unit: sa.Row
) -> list[str]:
    """The roles a service's account is to hold at ``unit``: each known, bindable there and
    not above the caller's own there (the rule of ``grantRole``)."""
    errors: list[DomainError] = []
    for index, name in roles:
        field = f"roles.{index}"
        role = await access_repository.get_role(session, name)
        if role is None:
            errors.append(
                ClientError(ClientErrorCode.UNKNOWN_ROLE, access_rules.unknown_role(name), field)
            )
            continue
        try:
            access_rules.check_grantable(
                session.principal,
                role_title=role.title_zh,
                role_rank=role.rank,
                role_permissions=frozenset(role.permissions),
                bindable_kinds=frozenset(role.bindable_kinds),
                unit_kind=unit.kind,
                unit_path=unit.path,
                field=field,
            )
        except AccountError as refused:
            errors.append(ClientError(ClientErrorCode(refused.code.value), refused.message, field))
    if errors:
        raise ValidationErrors(errors)
    return [name for _, name in roles]


async def register_client(
    session: Session,
    *,
    unit_id: int,
    name: str,
    kind: str,
    redirect_uris: Sequence[str],
    allowed_origins: Sequence[str],
    allowed_scopes: Sequence[str],
    roles: Sequence[str],
    trusted_documents_only: bool,
    cost_budget: int | None,
    requests_per_minute: int | None,
) -> Issued:
    unit = await visible_unit(session, unit_id, Permission.CLIENT_MANAGE, "unitId")
    registration = rules.check_registration(
        name=name,
        kind=kind,
        redirect_uris=redirect_uris,
        allowed_origins=allowed_origins,
        allowed_scopes=allowed_scopes,
        roles=roles,
        trusted_documents_only=trusted_documents_only,
        cost_budget=cost_budget,
        requests_per_minute=requests_per_minute,
    )
    if not unit.active:
        raise ClientError(ClientErrorCode.INACTIVE_UNIT, inactive(unit.name), "unitId")
    role_names = await _grantable_roles(session, registration.roles, unit)
    client_id = rules.new_client_id()
    caller = session.principal.user_id
    values: dict[str, object] = {
        "client_id": client_id,
        "name": registration.name,
        "kind": kind,
        "redirect_uris": registration.redirect_uris,
        "allowed_origins": registration.allowed_origins,
        "allowed_scopes": registration.allowed_scopes,
        "unit_id": unit.id,
        "unit_path": unit.path,
        "school_id": unit.school_id,
        "trusted_documents_only": registration.trusted_documents_only,
        "cost_budget": registration.cost_budget,
        "requests_per_minute": registration.requests_per_minute,
        "created_by": caller,
    }
    secret = None
    account: dict[str, object] = {}
    if kind == "service":
        secret = client_secrets.new_secret()
        username = rules.service_username(client_id)
        user_id = await repository.insert_service_user(
            session, username=username, display_name=registration.name, unit=unit
        )
        for role in role_names:
            await access_repository.insert_binding(
                session, user_id=user_id, role=role, unit=unit, granted_by=caller
            )
        values |= {
            "secret_hash": client_secrets.digest(secret),
            "secret_set_at": sa.func.now(),
            "service_user_id": user_id,
        }
        account = {"service_account": {"username": username, "roles": role_names}}
    row = await repository.insert_client(session, values)
    await _audit(session, "registerClient", None, row, **account)
    if row.allowed_origins:
        repository.after_commit(session, _origins_changed)
    return Issued(row, secret)


async def rotate_client_secret(session: Session, *, client_pk: int) -> Issued:
    """A new secret, shown once; the old one stops working as this commits."""
    client = await visible_client(session, client_pk, "clientId")
    if client.kind != "service":
        raise ClientError(ClientErrorCode.NO_SECRET, "前端应用是公开客户端，没有密钥", "clientId")
    if not client.active:
        raise ClientError(ClientErrorCode.CLIENT_DISABLED, _DISABLED, "clientId")
    secret = client_secrets.new_secret()
    row = await repository.update_client(
        session,
        client.id,
        {"secret_hash": client_secrets.digest(secret), "secret_set_at": sa.func.now()},
    )
    await _audit(session, "rotateClientSecret", _snapshot(client), row)
    return Issued(row, secret)


async def disable_client(session: Session, *, client_pk: int) -> sa.Row:
    client = await visible_client(session, client_pk, "clientId")
    if not client.active:
        raise ClientError(ClientErrorCode.ALREADY_DISABLED, _DISABLED, "clientId")
    row = await repository.update_client(
        session, client.id, {"active": False, "disabled_at": sa.func.now()}
    )
    account: dict[str, object] = {}
    if row.service_user_id is not None:
        await repository.deactivate_user(session, row.service_user_id)
        account = {"service_account": {"active": False}}
    await _audit(session, "disableClient", _snapshot(client), row, **account)
    if row.allowed_origins:
        repository.after_commit(session, _origins_changed)
    return row


async def clients_page(session: Session, *, under_id: int | None, keyset: Keyset) -> Page:
    read_paths = session.principal.paths_with(Permission.CLIENT_MANAGE)
    under_path = None
    if under_id is not None:
        under_path = (await visible_unit(session, under_id, Permission.CLIENT_MANAGE, "under")).path
    elif not read_paths:
        session.require(Permission.CLIENT_MANAGE, "")
    return await repository.clients_page(
        session, read_paths=read_paths, under_path=under_path, keyset=keyset
    )


async def service_accounts(session: Session, user_ids: Sequence[int]) -> list[sa.Row]:
    """The accounts of services the caller has already read (row-level security holds them
    to its scope as ever)."""
    return await repository.accounts(session, list(user_ids))
