"""Scope tests the planner estimates as what they are: a filter nearly every row passes.

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-22

Every tenant table's policy is ``path <@ (SELECT app_scope())``, and the resolvers narrow their
lists with the same test on the caller's paths. ltree gives ``ltree <@ ltree[]`` the generic
containment estimate (``contsel``: 0.1% of the rows), so a list of one school's recruits, which
carries the policy, the resolver's scope and its ``under`` test, was planned for one row where
there are thousands: nested loops and a sort in place of a walk down ``(school_id, id)``
(province data, a school's page of 50: 12–21 ms against 0.2 ms).

A scope test is not a selectivity: what a query asks for already lies in the caller's scope, so
the test passes for nearly every row the other conditions leave. ``<@@`` is ltree's own
``ltree <@ ltree[]`` function under another name, with ``neqsel`` as its estimator: with no
negator declared, ``neqsel`` answers its fixed default, 99.5%, whatever the arguments. The
lists narrow with ``school_id`` (an indexed equality the statistics know) where they can
(:mod:`partyplan.tenants.scope`).

Policies whose test runs the other way as well (``scope <@ path``, the commission-wide tables)
and the ``OR`` policies of users and role bindings are left as they are: their tables are small.

Warnings gain ``(school_id, id)`` for a school's warnings newest first, as recruits and members
already have.
"""

from __future__ import annotations

from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

# table → its path column: the policies that are a plain ``column <@ scope``.
SCOPED = {
    "units": "path",
    "unit_quotas": "unit_path",
    "forecast_submissions": "unit_path",
    "structural_targets": "unit_path",
    "recruits": "unit_path",
    "recruit_steps": "unit_path",
    "recruit_findings": "unit_path",
    "talent_filings": "unit_path",
    "unit_tallies": "unit_path",
    "unit_month_tallies": "unit_path",
    "warnings": "unit_path",
    "execution_reports": "unit_path",
    "members": "unit_path",
}


def _policies(operator: str) -> None:
    for table, column in SCOPED.items():
        test = f"{column} {operator} (SELECT app_scope())"
        op.execute(f"ALTER POLICY {table}_scope ON {table} USING ({test}) WITH CHECK ({test})")


def upgrade() -> None:
    op.execute(
        "CREATE OPERATOR <@@ (LEFTARG = ltree, RIGHTARG = ltree[], "
        "FUNCTION = _ltree_r_isparent, RESTRICT = neqsel, JOIN = neqjoinsel)"
    )
    op.execute(
        "COMMENT ON OPERATOR <@@ (ltree, ltree[]) IS "
        "'ltree <@ ltree[] for scope tests: estimated to pass nearly every row'"
    )
    _policies("<@@")
    op.execute("CREATE INDEX ix_warnings_school_id_id ON warnings (school_id, id)")


def downgrade() -> None:
    op.execute("DROP INDEX ix_warnings_school_id_id")
    _policies("<@")
    op.execute("DROP OPERATOR <@@ (ltree, ltree[])")
