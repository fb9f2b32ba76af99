"""The tally trigger with its figures inlined: one planned statement per tally table.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-22

Measured on the province benchmark (bench/rollup_scale.py): the trigger of 0004 spent ~3.5 ms
an approval, most of it in its four calls of the set-returning SQL functions, which are planned
anew on each call. Here the same expressions (0004's, unchanged) are written into the trigger's
own statements over ``NEW`` and ``OLD``, whose plans PL/pgSQL keeps for the session. The
functions stay: ``unit_tallies_computed`` (verification and rebuilds) still uses them, so both
paths count with the same definitions.
"""

from __future__ import annotations

import importlib
import re

from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

_v4 = importlib.import_module("partyplan.migrations.versions.0004_rollups")


def _stage_on(row: str, on: str) -> str:
    """0004's ``recruit_stage_on(r, d)`` written out over ``row``."""
    return (
        f"CASE WHEN {row}.cancelled_on <= {on} THEN 'cancelled'"
        f" WHEN {row}.converted_on <= {on} THEN 'full_member'"
        f" WHEN {row}.approved_on <= {on} THEN 'probationary'"
        f" WHEN {row}.target_on <= {on} THEN 'development_target'"
        f" WHEN {row}.activist_on <= {on} THEN 'activist'"
        f" WHEN {row}.applied_on <= {on} THEN 'applicant' END"
    )


def over(row: str, expression: str) -> str:
    """An expression of 0004 over recruit ``r``, rewritten over the trigger's ``row``."""
    expression = re.sub(
        r"recruit_stage_on\(r, ([a-z_.]+)\)",
        lambda m: f"({_stage_on(row, m.group(1))})",
        expression,
    )
    return re.sub(r"\br\.", f"{row}.", expression)


def _chain(row: str) -> str:
    return (
        f"generate_series(index({row}.unit_path, {row}.school_id::text::ltree) + 1,"
        f" nlevel({row}.unit_path)) AS i"
    )


def _open_periods(row: str) -> str:
    return (
        f"p.commission_id = subltree({row}.unit_path, 0, 1)::text::bigint AND p.state <> 'closed'"
    )


def _period_rows(row: str, sign: int) -> str:
    figures = [f"{sign} * {_v4._int(over(row, sql))}" for sql in _v4.PERIOD_FIGURES.values()]
    member = over(row, _v4._MEMBER)
    figures.append(f"{sign} * CASE WHEN {member} THEN {row}.open_findings ELSE 0 END")
    columns = ", ".join(f"{f} AS {n}" for f, n in zip(figures, _v4.ALL_PERIOD_COLUMNS, strict=True))
    return (
        f"SELECT p.id AS period_id, subltree({row}.unit_path, i - 1, i)::text::bigint AS unit_id,"
        f" subpath({row}.unit_path, 0, i) AS unit_path, {row}.school_id AS school_id, i AS depth,"
        f" {int(sign > 0)} AS newer, {columns}"
        f" FROM plan_periods p, {_chain(row)} WHERE {_open_periods(row)}"
    )


def _month_rows(row: str, sign: int) -> str:
    admitted = over(row, _v4._ADMITTED)
    converted = over(row, _v4.CONVERTED)
    head = (
        f"SELECT p.id AS period_id, subltree({row}.unit_path, i - 1, i)::text::bigint AS unit_id,"
        f" %s AS month, subpath({row}.unit_path, 0, i) AS unit_path, {row}.school_id AS school_id,"
        f" i AS depth, {int(sign > 0)} AS newer, %s"
        f" FROM plan_periods p, {_chain(row)} WHERE {_open_periods(row)} AND %s"
    )
    approval = ", ".join(
        [f"{sign} * {_v4._int(over(row, sql))} AS {n}" for n, sql in _v4.ADMISSION_FIGURES.items()]
        + ["0 AS converted"]
    )
    conversion = ", ".join([*(f"0 AS {n}" for n in _v4.ADMISSION_FIGURES), f"{sign} AS converted"])
    return " UNION ALL ".join(
        [
            head % (f"date_trunc('month', {row}.approved_on)::date", approval, admitted),
            head % (f"date_trunc('month', {row}.converted_on)::date", conversion, converted),
        ]
    )


def _trigger() -> str:
    # On INSERT, OLD is NULL: its chain is empty and adds no row.
    return _v4.trigger_function(
        f"{_period_rows('NEW', 1)} UNION ALL {_period_rows('OLD', -1)}",
        f"{_month_rows('NEW', 1)} UNION ALL {_month_rows('OLD', -1)}",
    )


def upgrade() -> None:
    op.execute(_trigger())


def downgrade() -> None:
    op.execute(_v4.trigger_function(_v4._SQL_FUNCTION_ROWS, _v4._SQL_FUNCTION_MONTH_ROWS))
