"""SQL of recording a step (``service/recording.py``): what the write needs, read in two
statements, and the write itself — step, findings, derived columns, audit entry — in one.

Why two reads and not one: under READ COMMITTED a statement reads the data as of its start. A
statement that waited for the recruit's lock (``FOR UPDATE``) would return the recruit as its
holder left it but the steps and attachments as they were before that holder committed: the
steps written under the lock would be missing from the derivation. So the lock is taken first,
with what no recruit's lock guards (its branch, the commission's rule overlays, calendar and
document expectations); the steps, their corrections and their attachments — which every
writer writes holding the recruit's lock — are read by the next statement, after it.

The write is one statement of data-modifying CTEs; all its parts see the same snapshot, which
is why the findings' delete and insert can share it (the delete cannot see the rows the insert
adds). Its triggers run as they did one statement at a time: the tallies' on the recruit's
update, the change feed's (one row per step and recruit changed), the annulled recruit's.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from functools import cache
from types import SimpleNamespace
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import JSONB

from partyplan.models import calendar_days, recruit_findings, recruit_steps, recruits, rule_overlays
from partyplan.models import units as units_table
from partyplan.resolvers.audit.repository import entry_json
from partyplan.resolvers.units.repository import joined_unit_columns
from partyplan.tenants.session import Session

from . import RECRUIT_COLUMNS
from . import documents as written

_BRANCH = units_table.alias("branch")
_BRANCH_PREFIX = "branch_unit_"
_BRANCH_COLUMNS = joined_unit_columns(_BRANCH, _BRANCH_PREFIX)
#: The columns of a stored finding that a derivation writes (``derivation.finding_row``).
FINDING_COLUMNS = (
    "rule_id",
    "rule_version",
    "article",
    "severity",
    "step_code",
    "message",
    "due_on",
    "days_late",
)


def _first_label(path: Any) -> Any:
    """The commission's id: the first label of a unit path (paths are built from unit ids)."""
    return sa.func.subpath(path, 0, 1).cast(sa.Text).cast(sa.BigInteger)


@dataclass(frozen=True)
class Locked:
    """The recruit, locked, and what its step is judged with that no recruit's lock guards."""

    recruit: sa.Row  # ``RECRUIT_COLUMNS`` (and the columns below, unused as the recruit's)
    branch: Any  # the recruit's branch as ``units.repository.get`` reads it; None out of reach
    overlay_bodies: list[Any]  # the commission's stored rule overlays, as stored
    calendar: list[tuple[str, date]]  # the commission's (kind, day): holidays, make-up days
    expectations: Any  # the commission's document expectations (``documents.expectations_of``)


@cache
def _lock_statement() -> sa.Select[Any]:
    """Built once (its only value is the ``recruit_id`` parameter): a statement of CTEs over
    every column of a recruit costs milliseconds of Python to build, and a write ran it per
    request."""
    recruit_id = sa.bindparam("recruit_id", type_=sa.BigInteger)
    locked = (
        sa.select(*RECRUIT_COLUMNS)
        .where(recruits.c.id == recruit_id)
        .with_for_update()
        .cte("locked")
    )
    commission = _first_label(_BRANCH.c.path)
    overlays = (
        sa.select(sa.func.coalesce(sa.func.json_agg(rule_overlays.c.body), sa.text("'[]'::json")))
        .where(rule_overlays.c.commission_id == commission)
        .scalar_subquery()
    )
    days = (
        sa.select(
            sa.func.coalesce(
                sa.func.json_agg(
                    sa.func.json_build_array(calendar_days.c.kind, calendar_days.c.day)
                ),
                sa.text("'[]'::json"),
            )
        )
        .where(calendar_days.c.commission_id == commission)
        .scalar_subquery()
    )
    return sa.select(
        locked,
        *_BRANCH_COLUMNS,
        overlays.label("procedure_overlays"),
        days.label("procedure_calendar"),
        written.expectations_of(_first_label(locked.c.unit_path)).label("document_expectations"),
    ).select_from(locked.outerjoin(_BRANCH, _BRANCH.c.id == locked.c.branch_id))


async def lock_for_step(session: Session, recruit_id: int) -> Locked | None:
    """The recruit ``FOR UPDATE`` (None when there is none in reach), with its branch and its
    commission's procedure: the rule overlays and the calendar of the branch's commission, the
    document expectations of the recruit's (the same one: a recruit lies under its branch)."""
    stmt = _lock_statement()
    row = (await session.execute(stmt, {"recruit_id": recruit_id})).first()
    if row is None:
        return None
    values = row._mapping
    branch = None
    if values[f"{_BRANCH_PREFIX}id"] is not None:
        branch = SimpleNamespace(
            **{c.name.removeprefix(_BRANCH_PREFIX): values[c.name] for c in _BRANCH_COLUMNS}
        )
    return Locked(
        recruit=row,
        branch=branch,
        overlay_bodies=list(row.procedure_overlays),
        calendar=[(kind, date.fromisoformat(day)) for kind, day in row.procedure_calendar],
        expectations=row.document_expectations,
    )


@dataclass(frozen=True)
class Current:
    """The recruit's current steps (``repository.steps_of``: corrected ones replaced, in date
    then id order) and what they carry in writing."""

    steps: list[sa.Row]
    documents: Any  # ``documents.documents_of``
    corrections: Any  # ``documents.corrections_of``


@cache
def _current_statement() -> sa.Select[Any]:
    """Built once, its only value the ``recruit_id`` parameter (see :func:`_lock_statement`)."""
    recruit_id = sa.bindparam("recruit_id", type_=sa.BigInteger)
    carried = sa.select(
        written.documents_of(recruit_id).label("documents"),
        written.corrections_of(recruit_id).label("corrections"),
    ).subquery("carried")
    superseded = sa.select(recruit_steps.c.supersedes_id).where(
        recruit_steps.c.recruit_id == recruit_id, recruit_steps.c.supersedes_id.is_not(None)
    )
    steps = (
        sa.select(*recruit_steps.c)
        .where(recruit_steps.c.recruit_id == recruit_id, recruit_steps.c.id.not_in(superseded))
        .subquery("steps")
    )
    # One row with no step when there is none: the documents and corrections come on every row.
    return (
        sa.select(carried, *steps.c)
        .select_from(carried.outerjoin(steps, sa.true()))
        .order_by(steps.c.on_date, steps.c.id)
    )


async def current_steps(session: Session, recruit_id: int) -> Current:
    """Read holding the recruit's lock: the steps and attachments its writers wrote under it."""
    stmt = _current_statement()
    rows = (await session.execute(stmt, {"recruit_id": recruit_id})).all()
    return Current(
        steps=[r for r in rows if r.id is not None],
        documents=rows[0].documents,
        corrections=rows[0].corrections,
    )


@dataclass(frozen=True)
class NewStep:
    step_code: str
    on: date
    data: dict[str, Any]
    rule_version: str
    supersedes_id: int | None = None
    correction_reason: str | None = None


@dataclass(frozen=True)
class AuditEntry:
    """An ``audit_append`` call (``audit.repository.append``'s arguments, the actor's aside)."""

    operation: str
    object_type: str
    object_id: int
    unit_id: int
    school_id: int | None
    before: dict[str, Any] | None
    after: dict[str, Any] | None


@dataclass(frozen=True)
class Written:
    recruit: sa.Row  # the recruit as updated: every column, ciphertext included
    step: Any  # the step inserted (``recruit_steps`` columns); None when none was
    findings: list[Any]  # the findings as stored (``recruit_findings`` columns), in id order


def _prefixed(values: Any, table: sa.Table, prefix: str) -> Any:
    return SimpleNamespace(**{c.name: values[f"{prefix}{c.name}"] for c in table.c})


def _param(name: str, column: sa.Column[Any]) -> sa.BindParameter[Any]:
    # Named apart from every column ("p_…"): an UPDATE or INSERT takes an execution
    # parameter named as one of its table's columns for a value to set.
    return sa.bindparam(name, type_=column.type)


@cache
def _write_statement(
    with_step: bool, with_audit: bool, with_findings: bool, names: tuple[str, ...]
) -> tuple[sa.Select[Any], Any]:
    """The statement of :func:`write` for its shape, built once (see :func:`_lock_statement`),
    every value a parameter; and its ``found`` CTE (None without findings)."""
    rid = sa.bindparam("p_rid", type_=sa.BigInteger)
    gone = (
        sa.delete(recruit_findings)
        .where(recruit_findings.c.recruit_id == rid)
        .returning(recruit_findings.c.id)
        .cte("gone")
    )
    update = sa.update(recruits).where(recruits.c.id == rid)
    inserted = None
    if with_step:
        s = recruit_steps.c
        inserted = (
            sa.insert(recruit_steps)
            .values(
                recruit_id=rid,
                school_id=_param("p_school_id", s.school_id),
                unit_path=_param("p_unit_path", s.unit_path),
                step_code=_param("p_step_code", s.step_code),
                on_date=_param("p_on_date", s.on_date),
                data=_param("p_data", s.data),
                rule_version=_param("p_rule_version", s.rule_version),
                actor_user_id=_param("p_actor_user_id", s.actor_user_id),
                supersedes_id=_param("p_supersedes_id", s.supersedes_id),
                correction_reason=_param("p_correction_reason", s.correction_reason),
            )
            .returning(*recruit_steps.c)
            .cte("new_step")
        )
        # The step is inserted whole before the recruit is updated (the update waits for its
        # count): the change feed lists the step, then the recruit derived from it, as it did
        # when they were two statements.
        update = update.where(
            sa.select(sa.func.count()).select_from(inserted).scalar_subquery() == 1
        )
    values = {name: _param(f"p_col_{name}", recruits.c[name]) for name in names}
    updated = (
        update.values(**values, updated_at=sa.func.now()).returning(*recruits.c).cte("updated")
    )
    selected: list[Any] = list(updated.c)
    stmt_from: Any = updated
    if inserted is not None:
        selected += [c.label(f"step_{c.name}") for c in inserted.c]
        stmt_from = stmt_from.join(inserted, sa.true())
    if with_audit:
        entry = (
            sa.select(
                sa.func.audit_append(
                    sa.bindparam("p_audit_school_id", type_=sa.BigInteger),
                    sa.bindparam("p_audit_unit_id", type_=sa.BigInteger),
                    sa.bindparam("p_audit_user_id", type_=sa.BigInteger),
                    sa.bindparam("p_audit_client_id", type_=sa.Text),
                    sa.bindparam("p_audit_operation", type_=sa.Text),
                    sa.bindparam("p_audit_object_type", type_=sa.Text),
                    sa.bindparam("p_audit_object_id", type_=sa.BigInteger),
                    sa.cast(sa.bindparam("p_audit_before", type_=sa.Text), JSONB),
                    sa.cast(sa.bindparam("p_audit_after", type_=sa.Text), JSONB),
                ).label("entry")
            )
            .cte("entry")
            # Once, whatever the join below does: it writes.
            .prefix_with("MATERIALIZED")
        )
        selected.append(entry.c.entry.label("audit_entry"))
        stmt_from = stmt_from.join(entry, sa.true())
    found = None
    if with_findings:
        elements = (
            sa.func.jsonb_array_elements(sa.cast(sa.bindparam("p_findings", type_=sa.Text), JSONB))
            .table_valued(sa.column("value", JSONB), with_ordinality="ord")
            .render_derived()
        )
        value = elements.c.value
        types = {c: recruit_findings.c[c].type for c in FINDING_COLUMNS}
        f = recruit_findings.c
        # Each parameter in a cast: a bare parameter among a select's columns is copied
        # under an anonymous name, which the request's values would not fill.
        rows = sa.select(
            sa.cast(rid, sa.BigInteger),
            sa.cast(_param("p_school_id", f.school_id), sa.BigInteger),
            sa.cast(_param("p_unit_path", f.unit_path), f.unit_path.type),
            *(value[c].astext.cast(types[c]) for c in FINDING_COLUMNS),
        ).order_by(elements.c.ord)
        found = (
            sa.insert(recruit_findings)
            .from_select(["recruit_id", "school_id", "unit_path", *FINDING_COLUMNS], rows)
            .returning(*recruit_findings.c)
            .cte("found")
        )
        selected += [c.label(f"finding_{c.name}") for c in found.c]
        stmt_from = stmt_from.outerjoin(found, sa.true())
    stmt = sa.select(*selected).select_from(stmt_from).add_cte(gone)
    if found is not None:
        stmt = stmt.order_by(found.c.id)
    return stmt, found


async def write(
    session: Session,
    recruit: Any,
    *,
    findings: Sequence[dict[str, Any]],
    columns: dict[str, Any],
    step: NewStep | None = None,
    audit: AuditEntry | None = None,
) -> Written:
    """In one statement: insert ``step`` (when given), replace the recruit's findings with
    ``findings`` (rows without the recruit's columns, stored in the order given), set its
    derived ``columns``, and append ``audit`` (when given) to the audit log."""
    names = tuple(sorted(columns))
    stmt, found = _write_statement(step is not None, audit is not None, bool(findings), names)
    principal = session.principal
    params: dict[str, Any] = {
        "p_rid": recruit.id,
        "p_school_id": recruit.school_id,
        "p_unit_path": recruit.unit_path,
        **{f"p_col_{name}": columns[name] for name in names},
    }
    if step is not None:
        params.update(
            p_step_code=step.step_code,
            p_on_date=step.on,
            p_data=step.data,
            p_rule_version=step.rule_version,
            p_actor_user_id=principal.user_id,
            p_supersedes_id=step.supersedes_id,
            p_correction_reason=step.correction_reason,
        )
    if audit is not None:
        params.update(
            p_audit_school_id=audit.school_id,
            p_audit_unit_id=audit.unit_id,
            p_audit_user_id=principal.user_id,
            p_audit_client_id=principal.client_id,
            p_audit_operation=audit.operation,
            p_audit_object_type=audit.object_type,
            p_audit_object_id=audit.object_id,
            p_audit_before=entry_json(audit.before),
            p_audit_after=entry_json(audit.after),
        )
    if findings:
        params["p_findings"] = json.dumps(list(findings), ensure_ascii=False, default=str)
    result = (await session.execute(stmt, params)).all()
    first = result[0]
    return Written(
        recruit=first,
        step=None if step is None else _prefixed(first._mapping, recruit_steps, "step_"),
        findings=[]
        if found is None
        else [_prefixed(r._mapping, recruit_findings, "finding_") for r in result],
    )
