"""The warning kinds of the documentary record and of plans that reach people.

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-06

- ``data_call_due``, ``data_call_overdue``: a unit that must answer a data call, a few working
  days before its due date (a reminder) and after it (overdue);
- ``places_without_names``, ``names_without_places``: a unit holding places not placed on named
  development targets late in the period, or named targets without a place;
- ``infeasible_quota``: a unit whose received quota (or forecast) exceeds the admissions the
  rules still allow before the period ends.

The kinds are a frozen list here, as in 0005: a migration never reads the live code's list.
"""

from __future__ import annotations

from alembic import op

revision = "0018"
down_revision = "0017"
branch_labels = None
depends_on = None

BEFORE = (
    "slow_progress",
    "over_plan",
    "rushed",
    "long_term_none",
    "large_swing",
    "overdue_step",
    "missing_data",
    "report_overdue",
)
ADDED = (
    "data_call_due",
    "data_call_overdue",
    "places_without_names",
    "names_without_places",
    "infeasible_quota",
)


def _constrain(kinds: tuple[str, ...]) -> None:
    listed = ", ".join(f"'{k}'" for k in kinds)
    for table in ("warning_rules", "warnings"):
        op.execute(f"ALTER TABLE {table} DROP CONSTRAINT ck_{table}_kind")
        op.execute(f"ALTER TABLE {table} ADD CONSTRAINT ck_{table}_kind CHECK (kind IN ({listed}))")


def upgrade() -> None:
    _constrain(BEFORE + ADDED)


def downgrade() -> None:
    for table in ("warning_rules", "warnings"):
        op.execute(f"DELETE FROM {table} WHERE kind IN ({', '.join(repr(k) for k in ADDED)})")
    _constrain(BEFORE)
