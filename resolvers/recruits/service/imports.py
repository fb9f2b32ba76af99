"""Bulk entry (a branch catching up on paper records): many recruits with their past steps in
one request. Every row goes through the same checks as one-by-one entry; all rows go in or
none, and every bad row is reported with its index, the field and the reason. The field is the
whole path from the input: ``rows.3.idNumber``, ``rows.3.steps.14.data.present``."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

import sqlalchemy as sa

from partyplan.resolvers.errors import DomainError, ValidationErrors
from partyplan.tenants.session import Session

from ..errors import RecruitErrorCode, RowError
from ..pii import PiiCipher
from .records import Person, create_recruit, record_step

MAX_ROWS = 500


@dataclass(frozen=True)
class ImportStep:
    step_code: str
    on: date
    data: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class ImportRow:
    branch_id: int
    person: Person
    application_date: date
    steps: list[ImportStep] = field(default_factory=list)


def row_errors(index: int, failure: DomainError, within: str) -> list[RowError]:
    """Row ``index``'s errors, each field placed under ``within``: the row (``rows.3``) for
    creating the record, one of its past steps (``rows.3.steps.2``) for recording it."""
    failures = failure.errors if isinstance(failure, ValidationErrors) else [failure]
    return [
        RowError(index, f.code, f.message, f"{within}.{f.field}" if f.field else within)
        for f in failures
    ]


async def import_recruits(
    session: Session, cipher: PiiCipher, timezone: str, rows: list[ImportRow]
) -> list[sa.Row]:
    if len(rows) > MAX_ROWS:
        raise ValidationErrors(
            [
                RowError(
                    MAX_ROWS,
                    RecruitErrorCode.TOO_MANY_ROWS,
                    f"每次至多导入 {MAX_ROWS} 行",
                    "rows",
                )
            ]
        )
    created: list[sa.Row] = []
    errors: list[RowError] = []
    for index, row in enumerate(rows):
        # Each row in its own savepoint, so one bad row does not stop the others being checked.
        savepoint = await session.conn.begin_nested()
        within = f"rows.{index}"
        try:
            recruit = await create_recruit(
                session,
                cipher,
                timezone,
                branch_id=row.branch_id,
                person=row.person,
                application_date=row.application_date,
            )
            for number, step in enumerate(row.steps):
                within = f"rows.{index}.steps.{number}"
                recruit = await record_step(
                    session,
                    timezone,
                    recruit_id=recruit.id,
                    step_code=step.step_code,
                    on=step.on,
                    data=step.data,
                )
        except DomainError as failure:
            await savepoint.rollback()
            errors += row_errors(index, failure, within)
            continue
        except BaseException:
            await savepoint.rollback()
            raise
        await savepoint.commit()
        created.append(recruit)
    if errors:
        raise ValidationErrors(errors)  # type: ignore[arg-type]
    return created
