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
from partyplan.resolvers.errors import ValidationErrors
from partyplan.resolvers.paging import Keyset, Page
from partyplan.resolvers.text import clean_text
from partyplan.resolvers.units import repository as units
from partyplan.resolvers.units.service import listing_scope
from partyplan.resolvers.units.service import visible as visible_unit
from partyplan.tenants.session import Session

from . import repository, rules
from .errors import MemberError, MemberErrorCode, MemberRowError

MAX_ROWS = 2000
CODE_LIMIT = rules.CODE_LIMIT
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
    keyset: Keyset,
) -> Page:
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
        keyset=keyset,
    )


async def visible(session: Session, member_id: int) -> sa.Row:
    row = await repository.get(session, member_id)
    return session.reach(row, "该党员", Permission.RECRUIT_READ)


def _row_error(index: int, code: MemberErrorCode, message: str, field: str) -> MemberRowError:
    """A row's error, its field the whole path from the input (``members.3.joinedOn``)."""
    return MemberRowError(index, code, message, f"members.{index}.{field}")


_FIELDS = {
    "code": "code",
    "name": "name",
    "joined_on": "joinedOn",
    "full_on": "fullOn",
    "left_on": "leftOn",
}


def _check_row(index: int, row: MemberRow, today: date) -> tuple[MemberRow, list[MemberRowError]]:
    code, code_problem = rules.member_code(row.code)
    name, name_problem = rules.member_name(row.name)
    problems = [p for p in (code_problem, name_problem) if p is not None]
    problems += rules.member_dates(row.joined_on, row.full_on, row.left_on, today)
    errors = [
        _row_error(index, MemberErrorCode(p.code), p.message, _FIELDS[p.item]) for p in problems
    ]
    return MemberRow(code, name, row.branch_id, row.joined_on, row.full_on, row.left_on), errors


async def roster_school(session: Session, school_id: int, source: str) -> sa.Row:
    """The school whose roster is written: NOT_FOUND outside the caller's units; then
    ``member.manage`` there, and ``sync.exchange`` too for what comes from 12371."""
    school = await visible_unit(session, school_id, Permission.UNIT_READ, "schoolId")
    session.require(Permission.MEMBER_MANAGE, school.path)
    if source == "12371":
        session.require(Permission.SYNC_EXCHANGE, school.path)
    if school.kind != "school":
        raise ValidationErrors(
            [MemberRowError(0, MemberErrorCode.NOT_A_SCHOOL, "党员名册只能按学校导入", "schoolId")]
        )
    return school


async def write_members(
    session: Session, school: sa.Row, rows: list[tuple[MemberRow, str]], source: str
) -> tuple[int, int]:
    """Upsert checked rows (each with its branch's path) by code: (inserted, updated)."""
    existing = await repository.codes_in(session, school.id, [r.code for r, _ in rows])
    await repository.upsert(
        session,
        [
            {
                "school_id": school.id,
                "branch_id": r.branch_id,
                "unit_path": path,
                "code": r.code,
                "name": r.name,
                "joined_on": r.joined_on,
                "full_on": r.full_on,
                "left_on": r.left_on,
                "source": source,
            }
            for r, path in rows
        ],
    )
    return len(rows) - len(existing), len(existing)


async def audit_import(session: Session, result: ImportResult, after: dict[str, object]) -> None:
    await audit.append(
        session,
        operation="importMembers",
        object_type="Unit",
        object_id=result.school.id,
        unit_id=result.school.id,
        school_id=result.school.id,
        before=None,
        after={**after, "inserted": result.inserted, "updated": result.updated},
    )


async def import_members(
    session: Session, *, school_id: int, rows: list[MemberRow], source: str, today: date
) -> ImportResult:
    """Insert or replace the school's members by code; every bad row is reported with its
    index and field, and then nothing is written."""
    school = await roster_school(session, school_id, source)
    if len(rows) > MAX_ROWS:
        raise ValidationErrors(
            [
                MemberRowError(
                    MAX_ROWS,
                    MemberErrorCode.TOO_MANY_ROWS,
                    f"每次最多导入 {MAX_ROWS} 行",
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
                    "本校没有该 ID 的党支部或党委（党总支）",
                    "branchId",
                )
            )
        if row.code in seen:
            # A person counts rows from 1 (``index`` and the field's path count from 0).
            errors.append(
                _row_error(
                    index,
                    MemberErrorCode.DUPLICATE_CODE,
                    f"党员编号 {row.code} 与第 {seen[row.code] + 1} 行重复",
                    "code",
                )
            )
        seen.setdefault(row.code, index)
    if errors:
        raise ValidationErrors(errors)  # type: ignore[arg-type]
    if not checked:
        return ImportResult(school, 0, 0)
    inserted, updated = await write_members(
        session, school, [(r, branches[r.branch_id].path) for r in checked], source
    )
    result = ImportResult(school, inserted, updated)
    await audit_import(session, result, {"source": source, "codes": sorted(seen)})
    return result


# --- 留党察看 (细则第十四条): setMemberPartyProbation ------------------------------------------
#
# A member under 留党察看 whose rights are not yet restored cannot be an introducer (checked by
# ``recruits.service.roster`` on the step's date). The 12371 export carries no dates for the
# sanction, so the organization department records them here with the reason, audited; a roster
# import sending the member again keeps them. One period per member, the latest: ``since`` the
# decision's date, ``restored_on`` the day the rights were restored (None while under it); both
# None clears a period entered by mistake, and the audit entry keeps what it was. Who:
# ``member.manage`` where the member's branch is (outside the caller's units: NOT_FOUND).

PARTY_PROBATION_REASON_LIMIT = 500
#: Input fields of the period's dates.
_PARTY_PROBATION_FIELDS = {
    "party_probation_from": "from",
    "party_probation_restored_on": "restoredOn",
}


def _period(row: sa.Row) -> dict[str, str | None]:
    return {
        "partyProbationFrom": None
        if row.party_probation_from is None
        else str(row.party_probation_from),
        "partyProbationRestoredOn": None
        if row.party_probation_restored_on is None
        else str(row.party_probation_restored_on),
    }


async def set_party_probation(
    session: Session,
    *,
    member_id: int,
    since: date | None,
    restored_on: date | None,
    reason: str | None,
    today: date,
) -> sa.Row:
    """Record (or clear) the member's 留党察看 period; the member as it now reads."""
    member = session.reach(
        await repository.locked(session, member_id), "该党员", Permission.MEMBER_MANAGE
    )
    cleaned = clean_text(
        reason,
        "reason",
        required=True,
        limit=PARTY_PROBATION_REASON_LIMIT,
        error=MemberError,
        code=MemberErrorCode.INVALID_TEXT,
        missing_code=MemberErrorCode.REASON_REQUIRED,
        label="理由",
    )
    problems = rules.party_probation_dates(member.joined_on, since, restored_on, today)
    if problems:
        raise ValidationErrors(
            [
                MemberError(MemberErrorCode(p.code), p.message, _PARTY_PROBATION_FIELDS[p.item])
                for p in problems
            ]  # type: ignore[misc]
        )
    await repository.set_party_probation(session, member.id, since, restored_on)
    after = await repository.get(session, member.id)
    assert after is not None  # locked above
    await audit.append(
        session,
        operation="setMemberPartyProbation",
        object_type="Member",
        object_id=member.id,
        unit_id=member.branch_id,
        school_id=member.school_id,
        before=_period(member),
        after={**_period(after), "reason": cleaned},
    )
    return after
