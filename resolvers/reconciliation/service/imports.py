"""``import12371``: a 12371 export of a school compared with the platform's records.

Nothing of the records is written: the import stores a report, one entry per person —

* ``matched``: the ID number's keyed hash finds the school's recruit and every cell of the file
  equals the record's rendering (``rules.conflicts``);
* ``conflicting``: found, with the cells that differ (value here, value in 12371);
* ``only_12371``: no recruit of the school has the ID number (its values kept, the ID number
  and phone encrypted, to be created here if so decided);
* ``only_here``: a recruit of the school at a stage the file has a sheet for, absent from it.

The file is read a batch at a time (``imports12371.reader``) and each batch's entries are
written as it is compared, so memory holds one batch whatever the file's size. A refused file
(the reader's problems, or rows whose 12371 stage is behind the steps recorded here) raises
``FileRefused`` after the last row: the request's one transaction rolls back whatever was
written, and the caller gets every problem found at once.

Access: the school through the caller's scope (outside it, or not a school: NOT_FOUND), and
``recruit.record`` there (the report holds the file's people and is acted on by recording).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from contextlib import AbstractAsyncContextManager
from datetime import date
from typing import Any

import sqlalchemy as sa

from partyplan.auth.permissions import Permission
from partyplan.resolvers.audit import repository as audit
from partyplan.resolvers.exports12371.service import rendered, shown_pii
from partyplan.resolvers.imports12371 import reader
from partyplan.resolvers.imports12371.errors import FileProblem, FileRefused, ImportErrorCode
from partyplan.resolvers.imports12371.rows import FileRow, ReceivedFile
from partyplan.resolvers.recruits.pii import PiiCipher
from partyplan.resolvers.recruits.rules.identity import mask_id_number
from partyplan.resolvers.recruits.service.records import ID_CONTEXT, PHONE_CONTEXT
from partyplan.resolvers.units.service import visible_school
from partyplan.tenants.session import Session

from .. import repository, rules

#: Problems listed in a refusal at most (the total is counted on).
MAX_PROBLEMS = 100


class _Import:
    """The state of one import while its batches are compared."""

    def __init__(self, session: Session, cipher: PiiCipher, school: sa.Row, report_id: int):
        self.session, self.cipher, self.school, self.report_id = session, cipher, school, report_id
        self.ordinal = 0
        self.counts: Counter[str] = Counter()
        self.problems: list[FileProblem] = []
        self.problem_total = 0
        self.stages: set[str] = set()

    def problem(self, problem: FileProblem) -> None:
        self.problem_total += 1
        if len(self.problems) < MAX_PROBLEMS:
            self.problems.append(problem)

    async def ours(self, rows: list[tuple[FileRow, Any]]) -> list[dict[str, str]]:
        """Each matched recruit rendered into the cells of its file row's columns."""
        shown: list[dict[str, str] | None] = [None] * len(rows)
        by_columns: dict[tuple[str, ...], list[int]] = {}
        for index, (row, _) in enumerate(rows):
            by_columns.setdefault(tuple(row.cells), []).append(index)
        for items, indexes in by_columns.items():
            cells = await rendered(
                self.session,
                self.school.id,
                [rows[i][1] for i in indexes],
                items,
                lambda recruit: shown_pii(recruit, True, self.cipher),
            )
            for index, values in zip(indexes, cells, strict=True):
                shown[index] = dict(zip(items, values, strict=True))
        return shown  # type: ignore[return-value]

    def _entry(self, row: FileRow, kind: str, **values: Any) -> dict[str, Any]:
        self.ordinal += 1
        self.counts[kind] += 1
        return {
            "report_id": self.report_id,
            "ordinal": self.ordinal,
            "unit_path": self.school.path,
            "kind": kind,
            "sheet": row.sheet,
            "row_number": row.row,
            "stage": row.stage,
            "name": row.values.get("name") or row.cells.get("name", ""),
            "id_number_masked": mask_id_number(row.id_number),
            "recruit_id": None,
            "id_number_enc": None,
            "id_number_lookup": None,
            "phone_enc": None,
            "theirs": None,
            "conflicts": [],
            **values,
        }

    def _phone(self, row: FileRow) -> bytes | None:
        phone = row.values.get("phone")
        return None if not phone else self.cipher.encrypt(phone, context=PHONE_CONTEXT)

    async def batch(self, rows: Sequence[FileRow]) -> None:
        # Each ID number's hash under every PII key version held (several during a rotation,
        # the current one first): a recruit not re-encrypted yet is matched all the same.
        hashes = [self.cipher.lookup_hashes(r.id_number, context=ID_CONTEXT) for r in rows]
        every = [h for row_hashes in hashes for h in row_hashes]
        found = {
            bytes(r.id_number_hash): r
            for r in await repository.recruits_by_lookup(self.session, self.school.id, every)
        }
        matched: list[tuple[FileRow, Any]] = []
        entries: list[dict[str, Any]] = []
        for row, row_hashes in zip(rows, hashes, strict=True):
            self.stages.add(row.stage)
            lookup = row_hashes[0]
            recruit = next((found[h] for h in row_hashes if h in found), None)
            if recruit is None:
                entries.append(
                    self._entry(
                        row,
                        "only_12371",
                        id_number_enc=self.cipher.encrypt(row.id_number, context=ID_CONTEXT),
                        id_number_lookup=lookup,
                        phone_enc=self._phone(row),
                        theirs=rules.json_values(row.values),
                    )
                )
            elif rules.stage_behind(row.stage, recruit.stage):
                self.problem(
                    FileProblem.at(
                        ImportErrorCode.STAGE_BEHIND_RECORDS,
                        f"12371 中该人员为{rules.stage_label(row.stage)}，而本平台已记录的步骤表明"
                        f"其为{rules.stage_label(recruit.stage)}：请先更新 12371 中的信息",
                        sheet=row.sheet,
                        row=row.row,
                        column=rules.milestone_label(recruit.stage),
                    )
                )
            else:
                matched.append((row, recruit))
        for (row, recruit), ours in zip(matched, await self.ours(matched), strict=True):
            conflicts = rules.conflicts(row.stage, row.cells, recruit.stage, ours)
            if not conflicts:
                entries.append(self._entry(row, "matched", recruit_id=recruit.id))
                continue
            items = [c["item"] for c in conflicts]
            entries.append(
                self._entry(
                    row,
                    "conflicting",
                    recruit_id=recruit.id,
                    conflicts=conflicts,
                    theirs=rules.json_values(row.values, items),
                    phone_enc=self._phone(row) if "phone" in items else None,
                )
            )
        await repository.add_entries(self.session, entries)


async def import_file(
    session: Session,
    cipher: PiiCipher,
    *,
    school_id: int,
    file: AbstractAsyncContextManager[ReceivedFile],
    max_rows: int,
    max_bytes: int,
    today: date,
) -> int:
    """Compare the uploaded 12371 file with the school's records; the report's id. ``file``
    is entered only after the access checks: a caller who may not reconcile the school learns
    nothing about their file."""
    school = await visible_school(session, school_id, Permission.RECRUIT_RECORD)
    async with file as received:
        return await _compare(
            session, cipher, school, received, max_rows=max_rows, max_bytes=max_bytes, today=today
        )


async def _compare(
    session: Session,
    cipher: PiiCipher,
    school: sa.Row,
    received: ReceivedFile,
    *,
    max_rows: int,
    max_bytes: int,
    today: date,
) -> int:
    file_name, file_sha256, path = received.name, received.sha256, received.path
    report_id = await repository.create_report(
        session,
        {
            "school_id": school.id,
            "unit_path": school.path,
            "file_name": file_name,
            "file_sha256": file_sha256,
            "file_bytes": received.size,
            "stages": [],
            "rows_read": 0,
            "created_by": session.principal.user_id,
        },
    )
    state = _Import(session, cipher, school, report_id)
    try:
        async for rows in reader.batches(path, max_rows=max_rows, max_bytes=max_bytes, today=today):
            await state.batch(rows)
    except FileRefused as refused:
        raise FileRefused(
            [*refused.problems, *state.problems][: max(MAX_PROBLEMS, len(refused.problems))],
            total=refused.total + state.problem_total,
        ) from None
    if state.problems:
        raise FileRefused(state.problems, total=state.problem_total)
    sheets = set(await reader.stages_of(path, max_bytes=max_bytes)) | state.stages
    stages = [s for s in rules.STAGE_ORDER if s in sheets]
    only_here = await repository.add_only_here(session, report_id, school.id, stages, state.ordinal)
    counts = {
        "stages": stages,
        "rows_read": state.ordinal,
        "matched": state.counts["matched"],
        "conflicting": state.counts["conflicting"],
        "only_12371": state.counts["only_12371"],
        "only_here": only_here,
    }
    await repository.set_counts(session, report_id, counts)
    await audit.append(
        session,
        operation="import12371",
        object_type="ReconciliationReport",
        object_id=report_id,
        unit_id=school.id,
        school_id=school.id,
        before=None,
        after={**counts, "fileName": file_name, "fileSha256": file_sha256.hex()},
    )
    return report_id
