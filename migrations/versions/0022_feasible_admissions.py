"""Feasible admissions: each recruit's earliest admission the rules still allow, stored when its
steps change.

Revision ID: 0022
Revises: 0021
Create Date: 2026-12-06

Three columns on ``recruits``, derived with the rest of the record by
``resolvers/recruits/rules/derivation.py`` (``earliest.derive_columns``) in the transaction that
records or corrects a step, moves the recruit or changes the commission's region:

- ``admission_earliest_on``: the earliest day of the admission (step 17), walking the steps still
  needed from the recorded ones on the earliest days the rule table allows, today left out;
  NULL when no admission is ahead (admitted, cancelled) or a rule forbids it at any date;
- ``admission_possible_until``: the last day from which the walk still leads to an admission
  (a political review's validity, an expected departure); NULL when nothing ends it;
- ``admission_steps_left``: the steps still needed, as bits of their numbers: with today, they
  give the other half of the earliest day (docs/feasible-admissions.md).

A read counts, per unit subtree, the recruits whose later of the two halves falls in the period:
one aggregate over the recruits of the subtree with an admission ahead, which the partial index
below keeps to those rows. Recruits recorded before this revision get their columns at their next
derivation (any recorded step, correction, transfer, or a change of the commission's region).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0022"
down_revision = "0021"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("recruits", sa.Column("admission_earliest_on", sa.Date))
    op.add_column("recruits", sa.Column("admission_possible_until", sa.Date))
    op.add_column("recruits", sa.Column("admission_steps_left", sa.Integer))
    op.execute(
        "CREATE INDEX ix_recruits_admission_ahead ON recruits USING gist (unit_path)"
        " WHERE admission_earliest_on IS NOT NULL"
    )


def downgrade() -> None:
    op.execute("DROP INDEX ix_recruits_admission_ahead")
    op.drop_column("recruits", "admission_steps_left")
    op.drop_column("recruits", "admission_possible_until")
    op.drop_column("recruits", "admission_earliest_on")
