"""``partyplan init``: the first commission of an installation and its administrator.

Run once per commission, as the database owner (there is nobody yet to grant anything). The
values are checked by the same rules as the API's (a unit's name and code, an account's
username and name, a GB/T 2260 region code) before anything is written, and a commission code
or username already taken — ``init`` run twice — is refused with one line, writing nothing."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection, create_async_engine

from partyplan.resolvers.access.rules import clean_display_name, clean_username
from partyplan.resolvers.errors import DomainError
from partyplan.resolvers.recruits.rules.regions import region_name, region_problem
from partyplan.resolvers.units.rules import clean_code, clean_name

from .database import async_url
from .errors import StartupRefused

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Commission:
    name: str
    code: str
    region_code: str | None
    admin_username: str
    admin_name: str


def add_arguments(init: argparse.ArgumentParser) -> None:
    init.add_argument("--commission-name", required=True, help="e.g. 中共山西省委教育工作委员会")
    init.add_argument("--commission-code", required=True, help="the commission's unit code")
    init.add_argument(
        "--region-code",
        help="GB/T 2260 code of the province (two digits: 14 山西省, 50 重庆市): its rule "
        "overlays apply; without it only the national rules do (setCommissionRegion sets it "
        "later)",
    )
    init.add_argument("--admin-username", required=True)
    init.add_argument("--admin-name", required=True, help="the administrator's display name")


def checked(args: argparse.Namespace) -> Commission:
    """The arguments as the rules clean them, or :class:`StartupRefused` naming the flag."""
    code = _flag("--commission-code", clean_code, args.commission_code)
    if code is None:
        raise StartupRefused("--commission-code: the commission needs a code (letters, digits)")
    region = args.region_code
    if region is not None and (problem := region_problem(region)):
        raise StartupRefused(f"--region-code: {problem}")
    return Commission(
        name=_flag("--commission-name", clean_name, args.commission_name),
        code=code,
        region_code=region,
        admin_username=_flag("--admin-username", clean_username, args.admin_username),
        admin_name=_flag("--admin-name", clean_display_name, args.admin_name),
    )


def _flag(flag: str, clean: Callable[[str], T], value: str) -> T:
    try:
        return clean(value)
    except DomainError as error:
        raise StartupRefused(f"{flag}: {error.message}") from None


def _taken(values: Commission, unit_id: int | None, user_id: int | None) -> StartupRefused:
    if unit_id is not None:
        what = f"the commission code {values.code} is already unit {unit_id}'s"
    else:
        what = f"the username {values.admin_username} is already user {user_id}'s"
    return StartupRefused(
        f"{what}: init has run already. Mint the administrator a token with `partyplan token"
        " --user <username>`; for another commission, give another code and username"
    )


async def create_commission(owner_url: str, values: Commission) -> tuple[int, int]:
    """Create the commission, its administrator and the binding; (unit id, user id)."""
    engine = create_async_engine(async_url(owner_url))
    try:
        async with engine.begin() as conn:
            unit_id = await conn.scalar(
                sa.text("SELECT id FROM units WHERE code = :c"), {"c": values.code}
            )
            user_id = await conn.scalar(
                sa.text("SELECT id FROM users WHERE username = :u"), {"u": values.admin_username}
            )
            if unit_id is not None or user_id is not None:
                raise _taken(values, unit_id, user_id)
            try:
                return await _insert(conn, values)
            except IntegrityError as error:  # another init took them since the check
                raise StartupRefused(
                    f"the commission code {values.code} or the username"
                    f" {values.admin_username} was taken meanwhile: init has run already"
                ) from error
    finally:
        await engine.dispose()


async def _insert(conn: AsyncConnection, values: Commission) -> tuple[int, int]:
    unit_id = await conn.scalar(
        sa.text(
            "INSERT INTO units (kind, name, code, path, region_code) "
            "VALUES ('commission', :n, :c, '0', :r) RETURNING id"
        ),
        {"n": values.name, "c": values.code, "r": values.region_code},
    )
    user_id = await conn.scalar(
        sa.text(
            "INSERT INTO users (username, display_name, home_unit_id, home_path) "
            "SELECT :u, :d, id, path FROM units WHERE id = :unit RETURNING id"
        ),
        {"u": values.admin_username, "d": values.admin_name, "unit": unit_id},
    )
    await conn.execute(
        sa.text(
            "INSERT INTO role_bindings (user_id, role, unit_id, unit_path) "
            "SELECT :user, 'commission_admin', id, path FROM units WHERE id = :unit"
        ),
        {"user": user_id, "unit": unit_id},
    )
    return unit_id, user_id


def created(values: Commission, unit_id: int, user_id: int) -> str:
    """What ``init`` prints when done."""
    region = (
        f"region {values.region_code} {region_name(values.region_code)}"
        if values.region_code
        else "no region (national rules only; set one with setCommissionRegion)"
    )
    return (
        f"commission {unit_id} ({region}) and administrator {values.admin_username}"
        f" (user {user_id}) created"
    )
