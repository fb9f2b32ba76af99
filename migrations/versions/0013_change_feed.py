"""The change feed's outbox: one row per change of a recruit, a step, a member or a filing,
written in the same transaction as the change.

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-06

``xid`` is the writing transaction's id (``pg_current_xact_id()``): the feed hands out only rows
of transactions older than the oldest one still in flight, in (xid, seq) order, so a change
committed late, after a reader passed later sequence numbers, is never skipped. Rows carry the
school and the unit path, which row-level security reads as everywhere else.
"""

from __future__ import annotations

from alembic import op

from partyplan.migrations.sqlscript import app_role, execute_script, protect

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    app = app_role()
    execute_script(
        """
        CREATE TABLE change_outbox (
            seq bigint GENERATED ALWAYS AS IDENTITY CONSTRAINT pk_change_outbox PRIMARY KEY,
            xid xid8 NOT NULL DEFAULT pg_current_xact_id(),
            at timestamptz NOT NULL DEFAULT now(),
            school_id bigint NOT NULL,
            -- The changed object's unit when it changed, and that unit's path (kept in step by
            -- unit moves like every other copy).
            unit_id bigint NOT NULL,
            unit_path ltree NOT NULL,
            kind text NOT NULL,
            object_id bigint NOT NULL,
            operation text NOT NULL
        );
        CREATE INDEX ix_change_outbox_xid_seq ON change_outbox (xid, seq);
        CREATE INDEX ix_change_outbox_unit_path_gist ON change_outbox USING gist (unit_path);
        """
    )
    protect("change_outbox", "unit_path <@ (SELECT app_scope())")
    op.execute(f"GRANT SELECT, INSERT ON change_outbox TO {app}")
    # Unit moves rewrite the copied path (resolvers/units/ties.py).
    op.execute(f"GRANT UPDATE (unit_path) ON change_outbox TO {app}")


def downgrade() -> None:
    op.execute("DROP TABLE change_outbox")
