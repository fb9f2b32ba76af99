"""Reading recruits: scoped pages, and PII shown in clear only to holders of ``pii.read``."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

import sqlalchemy as sa

from partyplan.auth.permissions import Permission
from partyplan.resolvers.audit.service import Disclosures
from partyplan.resolvers.paging import Keyset, Page
from partyplan.resolvers.plans.service.common import period_for
from partyplan.resolvers.units.service import listing_scope
from partyplan.tenants.session import Session

from .. import repository
from ..errors import RecruitError
from ..pii import PiiCipher
from ..repository import json_pages
from ..rules import identity
from .records import ID_CONTEXT, PHONE_CONTEXT


@dataclass(frozen=True, slots=True)
class ShownPii:
    """A recruit's ID number and phone as the caller may see them; ``clear`` when unmasked."""

    id_number: str
    phone: str | None
    clear: bool


def shown_pii(session: Session, cipher: PiiCipher, row: Any) -> ShownPii:
    """(ID number, phone) as the caller may see them: clear with ``pii.read`` at the recruit's
    branch (and the ciphertext loaded), masked otherwise. Whoever returns a clear value records
    it with :func:`disclosed`."""
    if session.principal.can(Permission.PII_READ, row.unit_path) and hasattr(row, "id_number_enc"):
        phone = (
            None if row.phone_enc is None else cipher.decrypt(row.phone_enc, context=PHONE_CONTEXT)
        )
        return ShownPii(cipher.decrypt(row.id_number_enc, context=ID_CONTEXT), phone, clear=True)
    return ShownPii(row.id_number_masked, row.phone_masked, clear=False)


def disclosed(log: Disclosures, row: Any, name: str, *, with_writes: bool = False) -> None:
    """The recruit's ``name`` (``idNumber``, ``phone``) was returned in clear (in a mutation's
    payload: ``with_writes``): audited at the request's end (``audit.service.Disclosures``), on
    the recruit's branch and school chain."""
    log.record(
        object_type="Recruit",
        object_id=row.id,
        unit_id=row.branch_id,
        school_id=row.school_id,
        name=name,
        with_writes=with_writes,
    )


async def page_filter(
    session: Session,
    cipher: PiiCipher,
    *,
    under_id: int | None,
    stage: str | None,
    category: str | None,
    period_id: int | None,
    search: str | None,
) -> repository.ListFilter:
    """Which recruits the caller's list holds: NOT_FOUND for an ``under`` or period out of
    reach, FORBIDDEN without ``recruit.read`` there (``listing_scope``)."""
    read_paths, under = await listing_scope(session, under_id, Permission.RECRUIT_READ)
    period = None if period_id is None else await period_for(session, period_id)
    name_prefix, lookups = None, None
    term = (search or "").strip()
    if term:
        try:  # an ID number is looked up exactly, through its keyed hash
            lookups = cipher.lookup_hashes(
                identity.check_id_number(term, today=_far_future()), context=ID_CONTEXT
            )
        except RecruitError:
            name_prefix = term
    return repository.ListFilter(
        read_paths=read_paths,
        under=under,
        stage=stage,
        category=category,
        name_prefix=name_prefix,
        id_lookups=lookups,
        period=period,
        with_pii=bool(session.principal.paths_with(Permission.PII_READ)),
    )


async def page(
    session: Session,
    cipher: PiiCipher,
    *,
    under_id: int | None,
    stage: str | None,
    category: str | None,
    period_id: int | None,
    search: str | None,
    keyset: Keyset,
) -> Page:
    listed = await page_filter(
        session,
        cipher,
        under_id=under_id,
        stage=stage,
        category=category,
        period_id=period_id,
        search=search,
    )
    return await repository.page(session, listed, keyset)


def _far_future() -> date:
    return date(9999, 12, 31)


async def steps_of(session: Session, recruit_ids: Sequence[int]) -> list[sa.Row]:
    """The current (corrections applied) steps of recruits, by recruit then date, in one
    statement. The ids are those of recruits the caller has read (through ``visible`` or
    ``page``, which test the scope); row-level security scopes the steps themselves."""
    return await repository.steps_of_many(session, recruit_ids)


async def findings_of(session: Session, recruit_ids: Sequence[int]) -> list[sa.Row]:
    """The compliance findings (late steps) of recruits the caller has read, by recruit, in one
    statement (scoped as ``steps_of`` is)."""
    return await repository.findings_of_many(session, recruit_ids)


async def by_ids(session: Session, recruit_ids: list[int]) -> list[sa.Row]:
    """Recruits the caller may read, with their ciphertext, in one statement (id order)."""
    if not recruit_ids:
        return []
    return await repository.by_ids(
        session, recruit_ids, read_paths=session.principal.paths_with(Permission.RECRUIT_READ)
    )


# A page built as JSON by PostgreSQL (schema/compiled): the repository's statement, by the
# same filter ``page`` reads through.
page_json = json_pages.page_json
findings_json = json_pages.findings_json
