"""The change feed's outbox: one row per change of a recruit, a step, a member or a filing,
written in the same transaction as the change.

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-06

``xid`` is the writing transaction's id (``pg_current_xact_id()``): the feed hands out only rows
of transactions older than the oldest one still in flight, in (xid, seq) order, so a change
committed late, after a reader passed later sequence numbers, is never skipped. Rows carry the
school and the unit path, which row-level security reads as everywhere else.

**Written by triggers**, so that no writer can forget: every insert, update and delete of
``recruits``, ``recruit_steps``, ``members`` and ``talent_filings`` — the service's, an
import's, the sync's, a unit move's rewrite of the copied paths, a maintenance statement run
as the owner — writes its rows in the writing statement. Statement-level triggers with
transition tables: one ``INSERT … SELECT`` per statement, however many rows it touched (a unit
move, an import). An update that changes nothing but ``updated_at`` is no change (a roster sent
again touches every row); a path rewritten by a unit move is one (a reader scoped below the
school may just have come to reach the object). The function runs as the owner (``SECURITY
DEFINER``): a writer is never refused its outbox row by the outbox's own policy. A bulk load
in ``session_replication_role = replica`` fires no trigger and writes no change, on purpose.

**Pruning** (``partyplan feed prune``) deletes a prefix of the feed in (xid, seq) order and
records the last position it deleted in ``change_outbox_pruned`` (one row), in the same
transaction: a cursor before that mark may have missed deleted rows (``CURSOR_EXPIRED``).
"""

from __future__ import annotations

from alembic import op

from partyplan.migrations.sqlscript import app_role, execute_script, protect

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None

#: The tables whose changes the feed reports, and the kind each change is of.
CAPTURED = {
    "recruits": "recruit",
    "recruit_steps": "step",
    "members": "member",
    "talent_filings": "filing",
}

# The unit of each captured row is the last label of its path (paths are built from unit ids):
# a recruit's and a member's branch, a step's and a filing's recruit's branch.
_CAPTURE = """
CREATE FUNCTION change_outbox_capture() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        INSERT INTO change_outbox (school_id, unit_id, unit_path, kind, object_id, operation)
        SELECT n.school_id, subpath(n.unit_path, -1)::text::bigint, n.unit_path, TG_ARGV[0],
               n.id, 'created'
        FROM new_rows n ORDER BY n.id;
    ELSIF TG_OP = 'UPDATE' THEN
        INSERT INTO change_outbox (school_id, unit_id, unit_path, kind, object_id, operation)
        SELECT n.school_id, subpath(n.unit_path, -1)::text::bigint, n.unit_path, TG_ARGV[0],
               n.id, 'updated'
        FROM new_rows n JOIN old_rows o ON o.id = n.id
        WHERE to_jsonb(n) - 'updated_at' IS DISTINCT FROM to_jsonb(o) - 'updated_at'
        ORDER BY n.id;
    ELSE
        INSERT INTO change_outbox (school_id, unit_id, unit_path, kind, object_id, operation)
        SELECT o.school_id, subpath(o.unit_path, -1)::text::bigint, o.unit_path, TG_ARGV[0],
               o.id, 'deleted'
        FROM old_rows o ORDER BY o.id;
    END IF;
    RETURN NULL;
END $$
"""


def _triggers(table: str, kind: str) -> str:
    # A trigger with transition tables serves one event; the function tells them apart.
    return f"""
        CREATE TRIGGER {table}_outbox_insert AFTER INSERT ON {table}
            REFERENCING NEW TABLE AS new_rows
            FOR EACH STATEMENT EXECUTE FUNCTION change_outbox_capture('{kind}');
        CREATE TRIGGER {table}_outbox_update AFTER UPDATE ON {table}
            REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
            FOR EACH STATEMENT EXECUTE FUNCTION change_outbox_capture('{kind}');
        CREATE TRIGGER {table}_outbox_delete AFTER DELETE ON {table}
            REFERENCING OLD TABLE AS old_rows
            FOR EACH STATEMENT EXECUTE FUNCTION change_outbox_capture('{kind}');
    """


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
        -- A school's job reads its school's rows in feed order without passing the others'.
        CREATE INDEX ix_change_outbox_school_id_xid_seq ON change_outbox (school_id, xid, seq);
        CREATE INDEX ix_change_outbox_unit_path_gist ON change_outbox USING gist (unit_path);

        -- The last position pruning deleted (one row at most): a cursor before it is expired.
        CREATE TABLE change_outbox_pruned (
            id boolean DEFAULT true CONSTRAINT pk_change_outbox_pruned PRIMARY KEY,
            xid xid8 NOT NULL,
            seq bigint NOT NULL,
            pruned_at timestamptz NOT NULL DEFAULT now(),
            CONSTRAINT ck_change_outbox_pruned_one CHECK (id)
        );
        """
    )
    # ``<@@`` (migration 0008): a scope test the planner estimates as passing nearly every row,
    # so that a page walks (school_id, xid, seq) or (xid, seq) in order and stops at its limit.
    protect("change_outbox", "unit_path <@@ (SELECT app_scope())")
    op.execute(f"GRANT SELECT, INSERT ON change_outbox TO {app}")
    # Unit moves rewrite the copied path (resolvers/units/ties.py).
    op.execute(f"GRANT UPDATE (unit_path) ON change_outbox TO {app}")
    # A position, global to the feed like the cursors: no tenant's data.
    op.execute(f"GRANT SELECT ON change_outbox_pruned TO {app}")
    execute_script(_CAPTURE + ";" + "".join(_triggers(t, k) for t, k in CAPTURED.items()))


def downgrade() -> None:
    execute_script(
        "".join(
            f"DROP TRIGGER {t}_outbox_{event} ON {t};"
            for t in CAPTURED
            for event in ("insert", "update", "delete")
        )
        + """
        DROP FUNCTION change_outbox_capture();
        DROP TABLE change_outbox_pruned;
        DROP TABLE change_outbox;
        """
    )
