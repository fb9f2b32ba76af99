"""The member roster: importing it (all rows or none) and reading it.

Invariants:

* A member belongs to one school's roster, at a branch (or committee) of that school; the code
  (12371's member code) is unique within the school. Sending a code again replaces that
  member's record: the roster sent is the truth (a sync job sends the same rows again and
  nothing changes but ``updated_at``).
* Standing is a matter of dates: probationary from ``joined_on``, full from ``full_on``, gone
  from ``left_on``. Nothing is deleted: a member who left stays, so steps that named them still
  read correctly.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa

from partyplan.auth.permissions import Permission
from partyplan.resolvers.audit import repository as audit
from partyplan.resolvers.errors import DomainError, ValidationErrors
from partyplan.resolvers.text import person_name
from partyplan.resolvers.units import repository as units
from partyplan.resolvers.units.service import listing_scope
from partyplan.resolvers.units.service import visible as visible_unit
from partyplan.tenants.session import Session

from . import repository
from .errors import MemberError, MemberErrorCode, MemberRowError

MAX_ROWS = 2000
CODE_LIMIT = 40
MEMBER_UNIT_KINDS = ("branch", "committee")


@dataclass(frozen=True)
class MemberRow:
    code: str
    name: str
    branch_id: int
    joined_on: date
    full_on: date | None = None
    left_on: date | None = None


@dataclass(frozen=True)
class ImportResult:
    school: sa.Row
    inserted: int
    updated: int


def status_on(row: sa.Row, on: date) -> str:
    if row.left_on is not None and row.left_on <= on:
        return "left"
    if row.full_on is not None and row.full_on <= on:
        return "full"
    return "probationary"


async def page(
    session: Session,
    *,
    under_id: int | None,
    search: str | None,
    status: str | None,
    on: date,
    after_id: int | None,
    limit: int,
) -> list[sa.Row]:
    """The roster where the caller reads recruits (a branch secretary: their branch)."""
    read_paths, under = await listing_scope(session, under_id, Permission.RECRUIT_READ)
    search = " ".join((search or "").split())[:50] or None
    return await repository.page(
        session,
        read_paths=read_paths,
        under=under,
        search=search,
        status=status,
        on=on,
        after_id=after_id,
        limit=limit,
    )


async def visible(session: Session, member_id: int) -> sa.Row:
    row = await repository.get(session, member_id)
    return session.reach(row, "member", Permission.RECRUIT_READ)


def _row_error(index: int, code: MemberErrorCode, message: str, field: str) -> MemberRowError:
    """A row's error, its field the whole path from the input (``members.3.joinedOn``)."""
    return MemberRowError(index, code, message, f"members.{index}.{field}")


def _check_row(index: int, row: MemberRow, today: date) -> tuple[MemberRow, list[MemberRowError]]:
    errors: list[MemberRowError] = []
    code = " ".join(row.code.split())
    if not code or len(code) > CODE_LIMIT or " " in code:
        errors.append(
            _row_error(
                index,
                MemberErrorCode.INVALID_CODE,
                f"a member code is 1–{CODE_LIMIT} characters without spaces",
                "code",
            )
        )
    name = row.name
    try:
        name = person_name(row.name, "name", error=MemberError, code=MemberErrorCode.INVALID_NAME)
    except DomainError as error:
        errors.append(_row_error(index, MemberErrorCode.INVALID_NAME, error.message, "name"))
    for field, value in (
        ("joinedOn", row.joined_on),
        ("fullOn", row.full_on),
        ("leftOn", row.left_on),
    ):
        if value is not None and value > today:
            errors.append(
                _row_error(index, MemberErrorCode.FUTURE_DATE, "the date is in the future", field)
            )
    for field, value, what in (
        ("fullOn", row.full_on, "full membership"),
        ("leftOn", row.left_on, "leaving"),
    ):
        if value is not None and value < row.joined_on:
            errors.append(
                _row_error(
                    index,
                    MemberErrorCode.INVALID_DATES,
                    f"{what} cannot come before joining ({row.joined_on})",
                    field,
                )
            )
    return MemberRow(code, name, row.branch_id, row.joined_on, row.full_on, row.left_on), errors


async def import_members(
    session: Session, *, school_id: int, rows: list[MemberRow], source: str, today: date
) -> ImportResult:
    """Insert or replace the school's members by code; every bad row is reported with its
    index and field, and then nothing is written."""
    school = await visible_unit(session, school_id, Permission.UNIT_READ, "schoolId")
    session.require(Permission.MEMBER_MANAGE, school.path)
    if source == "12371":
        session.require(Permission.SYNC_EXCHANGE, school.path)
    if school.kind != "school":
        raise ValidationErrors(
            [
                MemberRowError(
                    0, MemberErrorCode.NOT_A_SCHOOL, "a roster belongs to a school", "schoolId"
                )
            ]
        )
    if len(rows) > MAX_ROWS:
        raise ValidationErrors(
            [
                MemberRowError(
                    MAX_ROWS,
                    MemberErrorCode.TOO_MANY_ROWS,
                    f"at most {MAX_ROWS} rows per request",
                    "members",
                )
            ]
        )
    errors: list[MemberRowError] = []
    checked: list[MemberRow] = []
    for index, row in enumerate(rows):
        clean, problems = _check_row(index, row, today)
        checked.append(clean)
        errors += problems
    found = await units.get_many(
        session,
        sorted({r.branch_id for r in checked}),
        session.principal.paths_with(Permission.UNIT_READ),
    )
    branches = {u.id: u for u in found if u.school_id == school.id}
    seen: dict[str, int] = {}
    for index, row in enumerate(checked):
        branch = branches.get(row.branch_id)
        if branch is None or branch.kind not in MEMBER_UNIT_KINDS:
            # Another school's unit and a unit that does not exist read the same.
            errors.append(
                _row_error(
                    index,
                    MemberErrorCode.NOT_IN_SCHOOL,
                    "no branch or committee of this school has this id",
                    "branchId",
                )
            )
        if row.code in seen:
            errors.append(
                _row_error(
                    index,
                    MemberErrorCode.DUPLICATE_CODE,
                    f"code {row.code} is also in row {seen[row.code]}",
                    "code",
                )
            )
        seen.setdefault(row.code, index)
    if errors:
        raise ValidationErrors(errors)  # type: ignore[arg-type]
    if not checked:
        return ImportResult(school, 0, 0)
    existing = await repository.codes_in(session, school.id, list(seen))
    await repository.upsert(
        session,
        [
            {
                "school_id": school.id,
                "branch_id": r.branch_id,
                "unit_path": branches[r.branch_id].path,  # type: ignore[union-attr]
                "code": r.code,
                "name": r.name,
                "joined_on": r.joined_on,
                "full_on": r.full_on,
                "left_on": r.left_on,
                "source": source,
            }
            for r in checked
        ],
    )
    result = ImportResult(school, len(checked) - len(existing), len(existing))
    await audit.append(
        session,
        operation="importMembers",
        object_type="Unit",
        object_id=school.id,
        unit_id=school.id,
        school_id=school.id,
        before=None,
        after={
            "source": source,
            "inserted": result.inserted,
            "updated": result.updated,
            "codes": sorted(seen),
        },
    )
    return result
