"""Open warnings counted when they are written: per (unit, period, kind), kept by the database.

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-06

A roll-up line shows the open warnings of its unit's subtree by kind, those of the roll-up's
period and those tied to none (``RollupLine.openWarnings``). Counted at read time over
``warnings`` this was ~1 ms for a school but 20–35 ms of SQL for a commission over 150 schools
and 22,500 open warnings; as ``unit_tallies`` for the recruits, the count is now derived when a
warning is written, in the writing transaction, and a read is a plain select.

``warning_tallies`` holds, for each unit from the school down to a warning's unit, the number of
open warnings at or below it, by period (``0``: the warnings tied to no period) and kind. Rows
stop at the school, so that row-level security (``unit_path`` within the caller's scope, as
every tenant table) never shows a school another school's count: a commission's own row counts
only the warnings on the commission itself, and a commission's line adds its schools' rows.
Rows that fall to zero stay (readers skip them); a unit's rows are rewritten by a move like
every path copy (``units/ties.py``).

The trigger on ``warnings`` applies the difference between a row's old and new contribution
(one open warning, on the chain of its ``unit_path``, under its period and kind; nothing when
not open) in one statement, locking rows in (period, depth, unit, kind) order. An update that
changes nothing a contribution reads is skipped. The same chain serves the trigger and
``warning_tallies_computed`` (what ``partyplan tallies verify`` and the tests compare the stored
rows with); ``warning_tallies_rebuild`` replaces a commission's rows by the computed ones (the
backfill here; a bulk load that bypassed the trigger).
"""

from __future__ import annotations

from alembic import op

from partyplan.migrations.sqlscript import app_role, execute_script, protect

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None

#: The warning columns a contribution reads: an update changing none of them is skipped.
CONTRIBUTION_COLUMNS = ("status", "unit_path", "period_id", "kind")

_COLUMNS = "unit_id, period_id, kind, unit_path, school_id"


def chain_rows(w: str, sign: int, newer: int | None = None) -> str:
    """Warning ``w``'s contribution (``sign``: 1 added, -1 taken away) to every unit of its
    chain: the school and each unit below it down to the warning's unit (a commission's own
    warning: the commission alone). Columns: unit_id, period_id, kind, unit_path, school_id,
    depth, [newer,] delta. None unless the warning is open; a NULL row (``OLD`` on an insert,
    ``NEW`` on a delete) gives none. A path is the ids of the unit's ancestors and its own, and
    a school sits right under its commission: label ``i`` is the unit at depth ``i``, label 2
    the school. (The school is read off the chain's prefix, not the whole path: PL/pgSQL plans
    ``NEW`` as a constant, and folding ``subltree`` over a commission's one-label path would
    fail even where ``CASE`` never takes that branch.)"""
    newer_column = "" if newer is None else f"{newer} AS newer, "
    return (
        f"SELECT subltree({w}.unit_path, i - 1, i)::text::bigint AS unit_id,"
        f" coalesce({w}.period_id, 0) AS period_id, {w}.kind AS kind,"
        f" subpath({w}.unit_path, 0, i) AS unit_path,"
        f" CASE WHEN i > 1 THEN subltree(subpath({w}.unit_path, 0, i), 1, 2)::text::bigint END"
        " AS school_id,"
        f" i AS depth, {newer_column}{sign} AS delta"
        f" FROM generate_series(least(2, nlevel({w}.unit_path)), nlevel({w}.unit_path)) AS i"
        f" WHERE {w}.status = 'open'"
    )


def _functions() -> str:
    changes = f"{chain_rows('NEW', 1, 1)} UNION ALL {chain_rows('OLD', -1, 0)}"
    return f"""
        -- Apply the difference between a warning's old and new contribution; a row's path and
        -- school come from the new place. A count taken below zero (a row the warnings no
        -- longer match) fails the write: a CHECK would, but PostgreSQL checks the row an
        -- upsert proposes (the negative difference) before it finds the row to add it to.
        CREATE FUNCTION warnings_tally() RETURNS trigger
        LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
        DECLARE
            lowest integer;
        BEGIN
            WITH written AS (
                INSERT INTO warning_tallies AS t ({_COLUMNS}, open_count)
                SELECT x.unit_id, x.period_id, x.kind,
                       (array_agg(x.unit_path ORDER BY x.newer DESC))[1],
                       (array_agg(x.school_id ORDER BY x.newer DESC))[1], sum(x.delta)::int
                  FROM ({changes}) x
                 GROUP BY x.unit_id, x.period_id, x.kind
                HAVING sum(x.delta) <> 0
                 ORDER BY x.period_id, min(x.depth), x.unit_id, x.kind
                ON CONFLICT (unit_id, period_id, kind) DO UPDATE
                   SET unit_path = excluded.unit_path, school_id = excluded.school_id,
                       open_count = t.open_count + excluded.open_count
                RETURNING t.open_count)
            SELECT min(open_count) INTO lowest FROM written;
            IF lowest < 0 THEN
                RAISE EXCEPTION 'open-warning tallies out of step with the warnings'
                    USING ERRCODE = 'check_violation',
                          HINT = 'partyplan tallies verify / partyplan tallies rebuild';
            END IF;
            RETURN NULL;
        END $$;

        -- A truncated warnings table leaves nothing to count.
        CREATE FUNCTION warnings_tally_truncate() RETURNS trigger
        LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
        BEGIN
            DELETE FROM warning_tallies;
            RETURN NULL;
        END $$;

        -- What the rows of the units under a path should hold, counted from the warnings.
        CREATE FUNCTION warning_tallies_computed(p_under ltree)
        RETURNS TABLE (unit_id bigint, period_id bigint, kind text, unit_path ltree,
                       school_id bigint, open_count integer)
        LANGUAGE sql STABLE AS $$
            SELECT x.unit_id, x.period_id, x.kind, x.unit_path, x.school_id, count(*)::int
              FROM warnings w CROSS JOIN LATERAL ({chain_rows("w", 1)}) x
             WHERE w.unit_path <@ p_under AND x.unit_path <@ p_under
             GROUP BY x.unit_id, x.period_id, x.kind, x.unit_path, x.school_id
        $$;

        -- Replace the stored rows under a commission's (or a school's) path by the computed
        -- ones: the backfill, a bulk load that bypassed the trigger.
        CREATE FUNCTION warning_tallies_rebuild(p_under ltree) RETURNS void
        LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
        BEGIN
            DELETE FROM warning_tallies WHERE unit_path <@ p_under;
            INSERT INTO warning_tallies ({_COLUMNS}, open_count)
            SELECT * FROM warning_tallies_computed(p_under);
        END $$;
    """


def upgrade() -> None:
    app = app_role()
    execute_script(
        """
        CREATE TABLE warning_tallies (
            unit_id bigint NOT NULL
                CONSTRAINT fk_warning_tallies_unit_id_units REFERENCES units (id),
            -- 0: the warnings tied to no period (a recruit's, a branch's long spell).
            period_id bigint NOT NULL DEFAULT 0,
            kind text NOT NULL,
            unit_path ltree NOT NULL,
            school_id bigint,
            -- Never below zero: the trigger refuses it (see warnings_tally).
            open_count integer NOT NULL DEFAULT 0,
            CONSTRAINT pk_warning_tallies PRIMARY KEY (unit_id, period_id, kind)
        );
        CREATE INDEX ix_warning_tallies_unit_path_gist ON warning_tallies USING gist (unit_path);
        -- A commission's line sums the rows of its schools.
        CREATE INDEX ix_warning_tallies_period_id_school_id ON warning_tallies
            (period_id, school_id) WHERE unit_id = school_id;
        """
    )
    execute_script(_functions())
    open_changed = " OR ".join(f"OLD.{c} IS DISTINCT FROM NEW.{c}" for c in CONTRIBUTION_COLUMNS)
    execute_script(
        f"""
        CREATE TRIGGER warnings_tally AFTER INSERT OR DELETE ON warnings
            FOR EACH ROW EXECUTE FUNCTION warnings_tally();
        -- Only a change to an open warning, or to or from open, moves a count.
        CREATE TRIGGER warnings_tally_update AFTER UPDATE ON warnings
            FOR EACH ROW WHEN ((OLD.status = 'open' OR NEW.status = 'open') AND ({open_changed}))
            EXECUTE FUNCTION warnings_tally();
        CREATE TRIGGER warnings_tally_truncate AFTER TRUNCATE ON warnings
            FOR EACH STATEMENT EXECUTE FUNCTION warnings_tally_truncate();
        """
    )
    # Every commission's tree from the warnings as they stand.
    op.execute("SELECT warning_tallies_rebuild(path) FROM units WHERE nlevel(path) = 1")
    protect("warning_tallies", "unit_path <@@ (SELECT app_scope())")
    # Written by the database alone (the SECURITY DEFINER functions above), but for the path
    # copied onto them, which follows a unit moved within its school.
    op.execute(f"GRANT SELECT ON warning_tallies TO {app}")
    op.execute(f"GRANT UPDATE (unit_path) ON warning_tallies TO {app}")
    op.execute("REVOKE ALL ON FUNCTION warning_tallies_rebuild(ltree) FROM PUBLIC")


def downgrade() -> None:
    execute_script(
        """
        DROP TRIGGER warnings_tally_truncate ON warnings;
        DROP TRIGGER warnings_tally_update ON warnings;
        DROP TRIGGER warnings_tally ON warnings;
        DROP FUNCTION warning_tallies_rebuild(ltree);
        DROP FUNCTION warning_tallies_computed(ltree);
        DROP FUNCTION warnings_tally_truncate();
        DROP FUNCTION warnings_tally();
        DROP TABLE warning_tallies;
        """
    )
