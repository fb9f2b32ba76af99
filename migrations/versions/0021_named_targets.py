"""Named targets: a branch's places placed on named development targets, names backing forecasts.

Revision ID: 0021
Revises: 0020
Create Date: 2026-12-06

The notices want the plan to reach each person (落到每个发展对象). ``named_targets`` holds one
row per (period, recruit): the branch that named the recruit (its path copied for row-level
security), whether the recruit holds one of the branch's places in the period (``placed``) and
whether the recruit backs the branch's forecast (``forecast``). A recruit is named by one branch
and holds one place per period (the unique key).

**The balance invariant, extended.** ``unit_quotas.named_total`` is the number of the unit's
places placed on names, kept by the trigger on ``named_targets`` in the writing transaction.
``ck_unit_quotas_named_fits`` holds it within the unit's available places: named + handed down +
reserve ≤ received (the commission, which issues without a ceiling, names nobody). The service
locks the branch's balance row before it places (``plans.repository.balances.lock``) and refuses
a shortfall with a typed error; the constraint is the last guard: two transactions placing at
once both add to the one balance row, the second waits for the first and its CHECK fails if the
two together would not fit. A movement that would take places from under the names (a return, a
reserve) is refused the same way by the plans service (``plans.rules.Balance``) and by this
constraint.

**Counted when written.** ``placement_tallies`` holds, per (period, unit) from the school down
to the naming branch, the places on names (``placed``) and the names backing a forecast that
hold no place (``unplaced``) in the unit's subtree, as ``unit_tallies`` does for the recruits
(rows stop at the school; a commission's line sums its schools' rows). The trigger applies the
difference between a row's old and new contribution along its chain, rows locked in (period,
depth, unit) order. ``placement_tallies_computed`` recomputes them from the names (the tests'
oracle); ``placement_tallies_rebuild`` replaces a tree's rows by it.

**A transfer.** A recruit moved to another branch leaves the old branch's names in the periods
still open (trigger ``recruits_leave_names``): its place there is free again. A place his
admission within the period consumed stays where it was used.
"""

from __future__ import annotations

from alembic import op

from partyplan.migrations.sqlscript import app_role, execute_script, protect

revision = "0021"
down_revision = "0020"
branch_labels = None
depends_on = None

#: The name columns a contribution reads: an update changing none of them is skipped.
CONTRIBUTION_COLUMNS = ("placed", "forecast", "unit_id", "unit_path", "period_id", "school_id")

_COLUMNS = "period_id, unit_id, unit_path, school_id"

_FITS = (
    "named_total >= 0 AND (unit_kind = 'commission'"
    " OR named_total + handed_total + reserve_total <= received_total)"
)


def chain_rows(n: str, sign: int, newer: int | None = None) -> str:
    """Name row ``n``'s contribution (``sign``: 1 added, -1 taken away) to every unit of its
    chain, from its school down to its branch. Columns: period_id, unit_id, unit_path,
    school_id, depth, [newer,] placed, unplaced. A NULL row (``OLD`` on an insert, ``NEW`` on a
    delete) gives none."""
    newer_column = "" if newer is None else f"{newer} AS newer, "
    return (
        f"SELECT {n}.period_id AS period_id,"
        f" subltree({n}.unit_path, i - 1, i)::text::bigint AS unit_id,"
        f" subpath({n}.unit_path, 0, i) AS unit_path, {n}.school_id AS school_id,"
        f" i AS depth, {newer_column}"
        f"{sign} * {n}.placed::int AS placed,"
        f" {sign} * ({n}.forecast AND NOT {n}.placed)::int AS unplaced"
        f" FROM generate_series(index({n}.unit_path, {n}.school_id::text::ltree) + 1,"
        f" nlevel({n}.unit_path)) AS i"
    )


def _functions() -> str:
    changes = f"{chain_rows('NEW', 1, 1)} UNION ALL {chain_rows('OLD', -1, 0)}"
    return f"""
        CREATE FUNCTION named_targets_tally() RETURNS trigger
        LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
        DECLARE
            lowest integer;
        BEGIN
            -- The branch's places on names: a term of the balance invariant, checked by
            -- ck_unit_quotas_named_fits on the row written.
            IF TG_OP <> 'INSERT' AND OLD.placed THEN
                UPDATE unit_quotas SET named_total = named_total - 1
                 WHERE period_id = OLD.period_id AND unit_id = OLD.unit_id;
            END IF;
            IF TG_OP <> 'DELETE' AND NEW.placed THEN
                UPDATE unit_quotas SET named_total = named_total + 1
                 WHERE period_id = NEW.period_id AND unit_id = NEW.unit_id;
                IF NOT FOUND THEN
                    RAISE EXCEPTION 'a place named at a unit that received none'
                        USING ERRCODE = 'check_violation',
                              CONSTRAINT = 'ck_unit_quotas_named_fits';
                END IF;
            END IF;
            WITH written AS (
                INSERT INTO placement_tallies AS t ({_COLUMNS}, placed, unplaced)
                SELECT x.period_id, x.unit_id,
                       (array_agg(x.unit_path ORDER BY x.newer DESC))[1],
                       (array_agg(x.school_id ORDER BY x.newer DESC))[1],
                       sum(x.placed)::int, sum(x.unplaced)::int
                  FROM ({changes}) x
                 GROUP BY x.period_id, x.unit_id
                HAVING sum(x.placed) <> 0 OR sum(x.unplaced) <> 0
                 ORDER BY x.period_id, min(x.depth), x.unit_id
                ON CONFLICT (period_id, unit_id) DO UPDATE
                   SET unit_path = excluded.unit_path, school_id = excluded.school_id,
                       placed = t.placed + excluded.placed,
                       unplaced = t.unplaced + excluded.unplaced
                RETURNING least(t.placed, t.unplaced) AS low)
            SELECT min(low) INTO lowest FROM written;
            IF lowest < 0 THEN
                RAISE EXCEPTION 'placement tallies out of step with the names'
                    USING ERRCODE = 'check_violation',
                          HINT = 'SELECT placement_tallies_rebuild(<commission path>)';
            END IF;
            RETURN NULL;
        END $$;

        -- A recruit transferred to another branch leaves the names of the one he left, in
        -- the periods still open, but for a place his admission in the period consumed.
        CREATE FUNCTION recruits_leave_names() RETURNS trigger
        LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
        BEGIN
            DELETE FROM named_targets n USING plan_periods p
             WHERE n.recruit_id = NEW.id AND p.id = n.period_id AND p.state <> 'closed'
               AND n.unit_id <> NEW.branch_id
               AND NOT coalesce(NEW.approved_on BETWEEN p.starts_on AND p.ends_on, false);
            RETURN NULL;
        END $$;

        -- What the rows of one period under a path should hold, counted from the names.
        CREATE FUNCTION placement_tallies_computed(p_period bigint, p_under ltree)
        RETURNS TABLE (period_id bigint, unit_id bigint, unit_path ltree, school_id bigint,
                       placed integer, unplaced integer)
        LANGUAGE sql STABLE AS $$
            SELECT x.period_id, x.unit_id, x.unit_path, x.school_id,
                   sum(x.placed)::int, sum(x.unplaced)::int
              FROM named_targets n CROSS JOIN LATERAL ({chain_rows("n", 1)}) x
             WHERE n.period_id = p_period AND n.unit_path <@ p_under
             GROUP BY x.period_id, x.unit_id, x.unit_path, x.school_id
            HAVING sum(x.placed) <> 0 OR sum(x.unplaced) <> 0
        $$;

        -- Replace the stored rows under a path by the computed ones, every period (a bulk
        -- load that bypassed the trigger).
        CREATE FUNCTION placement_tallies_rebuild(p_under ltree) RETURNS void
        LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
        BEGIN
            DELETE FROM placement_tallies WHERE unit_path <@ p_under;
            INSERT INTO placement_tallies ({_COLUMNS}, placed, unplaced)
            SELECT c.* FROM plan_periods p
             CROSS JOIN LATERAL placement_tallies_computed(p.id, p_under) c;
            UPDATE unit_quotas q SET named_total = coalesce(
                   (SELECT count(*) FROM named_targets n
                     WHERE n.period_id = q.period_id AND n.unit_id = q.unit_id AND n.placed), 0)
             WHERE q.unit_path <@ p_under;
        END $$;
    """


def upgrade() -> None:
    app = app_role()
    execute_script(
        f"""
        ALTER TABLE unit_quotas ADD COLUMN named_total integer NOT NULL DEFAULT 0;
        ALTER TABLE unit_quotas ADD CONSTRAINT ck_unit_quotas_named_fits CHECK ({_FITS});

        CREATE TABLE named_targets (
            id bigint GENERATED BY DEFAULT AS IDENTITY CONSTRAINT pk_named_targets PRIMARY KEY,
            period_id bigint NOT NULL
                CONSTRAINT fk_named_targets_period_id_plan_periods REFERENCES plan_periods (id),
            recruit_id bigint NOT NULL
                CONSTRAINT fk_named_targets_recruit_id_recruits REFERENCES recruits (id),
            unit_id bigint NOT NULL
                CONSTRAINT fk_named_targets_unit_id_units REFERENCES units (id),
            unit_path ltree NOT NULL,
            school_id bigint NOT NULL,
            placed boolean NOT NULL DEFAULT false,
            forecast boolean NOT NULL DEFAULT false,
            named_by bigint,
            updated_at timestamptz NOT NULL DEFAULT now(),
            CONSTRAINT uq_named_targets_period_id_recruit_id UNIQUE (period_id, recruit_id),
            CONSTRAINT ck_named_targets_something CHECK (placed OR forecast)
        );
        CREATE INDEX ix_named_targets_period_id_unit_id ON named_targets (period_id, unit_id);
        CREATE INDEX ix_named_targets_recruit_id ON named_targets (recruit_id);
        CREATE INDEX ix_named_targets_unit_path_gist ON named_targets USING gist (unit_path);

        CREATE TABLE placement_tallies (
            period_id bigint NOT NULL
                CONSTRAINT fk_placement_tallies_period_id_plan_periods REFERENCES plan_periods (id),
            unit_id bigint NOT NULL
                CONSTRAINT fk_placement_tallies_unit_id_units REFERENCES units (id),
            unit_path ltree NOT NULL,
            school_id bigint NOT NULL,
            placed integer NOT NULL DEFAULT 0,
            unplaced integer NOT NULL DEFAULT 0,
            CONSTRAINT pk_placement_tallies PRIMARY KEY (period_id, unit_id)
        );
        CREATE INDEX ix_placement_tallies_unit_path_gist ON placement_tallies
            USING gist (unit_path);
        CREATE INDEX ix_placement_tallies_period_id_schools ON placement_tallies
            (period_id, school_id) WHERE unit_id = school_id;
        """
    )
    execute_script(_functions())
    changed = " OR ".join(f"OLD.{c} IS DISTINCT FROM NEW.{c}" for c in CONTRIBUTION_COLUMNS)
    execute_script(
        f"""
        CREATE TRIGGER named_targets_tally AFTER INSERT OR DELETE ON named_targets
            FOR EACH ROW EXECUTE FUNCTION named_targets_tally();
        CREATE TRIGGER named_targets_tally_update AFTER UPDATE ON named_targets
            FOR EACH ROW WHEN ({changed}) EXECUTE FUNCTION named_targets_tally();
        CREATE TRIGGER recruits_leave_names AFTER UPDATE OF branch_id ON recruits
            FOR EACH ROW WHEN (OLD.branch_id IS DISTINCT FROM NEW.branch_id)
            EXECUTE FUNCTION recruits_leave_names();
        """
    )
    scope = "(SELECT app_scope())"
    protect("named_targets", f"unit_path <@ {scope}")
    protect("placement_tallies", f"unit_path <@ {scope}")
    op.execute(f"GRANT SELECT, INSERT, UPDATE, DELETE ON named_targets TO {app}")
    # Written by the database alone, but for the path copied onto them (a unit moved).
    op.execute(f"GRANT SELECT ON placement_tallies TO {app}")
    op.execute(f"GRANT UPDATE (unit_path) ON placement_tallies TO {app}")
    op.execute("REVOKE ALL ON FUNCTION placement_tallies_rebuild(ltree) FROM PUBLIC")


def downgrade() -> None:
    execute_script(
        """
        DROP TRIGGER recruits_leave_names ON recruits;
        DROP FUNCTION recruits_leave_names();
        DROP TRIGGER named_targets_tally_update ON named_targets;
        DROP TRIGGER named_targets_tally ON named_targets;
        DROP FUNCTION placement_tallies_rebuild(ltree);
        DROP FUNCTION placement_tallies_computed(bigint, ltree);
        DROP FUNCTION named_targets_tally();
        DROP TABLE placement_tallies;
        DROP TABLE named_targets;
        ALTER TABLE unit_quotas DROP CONSTRAINT ck_unit_quotas_named_fits;
        ALTER TABLE unit_quotas DROP COLUMN named_total;
        """
    )
