"""What the metrics read from the database: the last tally verification, the open warnings.

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-09

Every replica's ``/metrics`` shows the drift found by the last ``partyplan tallies verify`` and
the open warnings by kind (docs/operations.md, "Logs and metrics"). The service role sees no
tenant's rows without a principal bound, so:

- ``tally_checks`` holds one row per family of tallies (the roll-ups', the open warnings'):
  how many rows differed and when. The verification runs as the owner and writes it; the
  service reads it. Counts only, of every school together: no tenant's data, so no row-level
  security;
- ``app_open_warnings_by_kind()`` counts the open warnings of every school by kind, as the
  owner (whose policy sees every row), and returns nothing else.
"""

from __future__ import annotations

from alembic import op

from partyplan.migrations.sqlscript import app_role, execute_script

revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None


def upgrade() -> None:
    app = app_role()
    execute_script(
        """
        CREATE TABLE tally_checks (
            tallies text NOT NULL CONSTRAINT pk_tally_checks PRIMARY KEY
                CONSTRAINT ck_tally_checks_tallies CHECK (tallies IN ('rollups', 'warnings')),
            differences integer NOT NULL
                CONSTRAINT ck_tally_checks_differences CHECK (differences >= 0),
            checked_at timestamptz NOT NULL DEFAULT now()
        );

        CREATE FUNCTION app_open_warnings_by_kind() RETURNS TABLE (kind text, open_count bigint)
        LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
            SELECT kind, count(*) FROM warnings WHERE status = 'open' GROUP BY kind
        $$;
        REVOKE ALL ON FUNCTION app_open_warnings_by_kind() FROM PUBLIC;
        """
    )
    op.execute(f"GRANT SELECT ON tally_checks TO {app}")
    op.execute(f"GRANT EXECUTE ON FUNCTION app_open_warnings_by_kind() TO {app}")


def downgrade() -> None:
    op.execute("DROP FUNCTION app_open_warnings_by_kind()")
    op.execute("DROP TABLE tally_checks")
