"""``importMembers12371``: the school's roster filled from a 12371 member export.

Invariants: the same as ``importMembers`` with source 12371 (``members.service``: the same
access checks, rows replace by code, the same audit entry), all rows or none; but the file is
not bounded by ``members.service.MAX_ROWS``: it may hold up to the server's import row limit,
read and upserted a batch at a time, so a university's roster of 10,000+ members goes in one
upload without the request ever holding it whole.
"""

from __future__ import annotations

from contextlib import AbstractAsyncContextManager
from datetime import date

from partyplan.auth.permissions import Permission
from partyplan.resolvers.imports12371.rows import ReceivedFile
from partyplan.resolvers.members import repository as members
from partyplan.resolvers.members.service import (
    MEMBER_UNIT_KINDS,
    ImportResult,
    MemberRow,
    audit_import,
    roster_school,
    write_members,
)
from partyplan.tenants.session import Session

from . import rules
from .reader import MemberFile

SOURCE = "12371"


async def import_member_file(
    session: Session,
    *,
    school_id: int,
    file: AbstractAsyncContextManager[ReceivedFile],
    today: date,
    max_bytes: int,
    max_rows: int,
) -> ImportResult:
    """Fill the school's roster from a 12371 member export: as ``import_members`` with source
    12371 (rows replace by code), all rows or none, but not bounded by ``MAX_ROWS``: the file
    may hold up to ``max_rows`` members, upserted ``reader.FILE_BATCH`` at a time as the
    file is read. A bad row anywhere refuses the file (``FileRefused``, raised by the reader
    after the last batch): the caller's transaction rolls the batches written back.

    ``file`` is entered only after the access checks, so a caller who may not write the
    roster learns nothing about their file.
    """
    school = await roster_school(session, school_id, SOURCE)
    found = await members.branches(
        session, school.id, MEMBER_UNIT_KINDS, session.principal.paths_with(Permission.UNIT_READ)
    )
    named = rules.branches_by_name([rules.Branch(b.id, b.name, b.path, b.active) for b in found])
    inserted = updated = 0
    codes: list[str] = []
    async with file as received:
        reading = MemberFile(
            received.path, branches=named, today=today, max_bytes=max_bytes, max_rows=max_rows
        )
        async for batch in reading.batches():
            codes += (m.line.code for m in batch)
            if not reading.clean:
                continue  # the file is refused at its end: read on for its problems only
            rows = [
                (
                    MemberRow(
                        m.line.code,
                        m.line.name,
                        m.branch.id,
                        m.line.joined_on,
                        m.line.full_on,
                        m.line.left_on,
                    ),
                    m.branch.path,
                )
                for m in batch
            ]
            added, replaced = await write_members(session, school, rows, SOURCE)
            inserted, updated = inserted + added, updated + replaced
        result = ImportResult(school, inserted, updated)
        await audit_import(
            session,
            result,
            {
                "source": SOURCE,
                "file": received.name,
                "sha256": received.sha256.hex(),
                "codes": sorted(codes),
            },
        )
    return result
