"""Roll-ups: per-(period, unit) tallies of the recruits beneath each unit, kept by the database.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-22

A recruit's milestone dates (when it entered each stage) are derived from its steps, like its
stage, and stored on the recruit. From them and a period's dates, the recruit's contribution
to the period is a fixed vector of figures (admissions counted and exempt, their structure, the
pipeline at the period end, conversions, open findings). ``unit_tallies`` holds, for every unit
from the school down to the recruit's branch, the sum of those vectors over the unit's
subtree; ``unit_month_tallies`` the same for admissions and conversions by calendar month.

The trigger on ``recruits`` applies the difference between a row's old and new contribution to
both chains (old and new place) in one statement per table, locking rows in (period, depth, id)
order so concurrent writers never deadlock. Rows stop at the school: no row above it is ever
written (a commission's figures are the sum of its schools' rows, ~150 at province scale), so an
admission locks its school's row at worst, never a province-wide one. Closed periods are frozen.
A new period is tallied from the existing recruits when it is created. The same expressions
serve the trigger and ``unit_tallies_computed`` (what ``partyplan tallies verify`` and the tests
compare the stored rows with).
"""

from __future__ import annotations

from alembic import op

from partyplan.migrations.sqlscript import app_role, execute_script, protect

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

_ADMITTED = "r.approved_on BETWEEN p.starts_on AND p.ends_on"
# A recruit takes part in a period when it applied by the period's end and had not left the
# procedure (converted or cancelled) before it started.
_MEMBER = (
    "r.applied_on <= p.ends_on AND coalesce(least(r.converted_on, r.cancelled_on), 'infinity')"
    " >= p.starts_on"
)
# Admissions and their structure (over every admission: counted against the quota or exempt).
ADMISSION_FIGURES = {
    "admitted": f"{_ADMITTED} AND NOT r.exempt",
    "admitted_exempt": f"{_ADMITTED} AND r.exempt",
    "women": f"{_ADMITTED} AND r.gender = 'female'",
    "ethnic_minority": f"{_ADMITTED} AND r.ethnicity <> '汉族'",
    "youth_35": f"{_ADMITTED} AND r.approved_on < (r.birth_date + interval '36 years')::date",
    "college_educated": f"{_ADMITTED} AND r.education <> 'below_college'",
    "students": f"{_ADMITTED} AND r.category IN ('undergraduate', 'postgraduate')",
    "staff": f"{_ADMITTED} AND r.category IN ('teacher', 'other_staff')",
    "high_knowledge": f"{_ADMITTED} AND r.high_knowledge",
    "professional_technical": f"{_ADMITTED} AND r.professional_title IS NOT NULL",
}
CONVERTED = "r.converted_on BETWEEN p.starts_on AND p.ends_on"
PIPELINE_FIGURES = {
    "applicants": "recruit_stage_on(r, p.ends_on) = 'applicant'",
    "activists": "recruit_stage_on(r, p.ends_on) = 'activist'",
    "development_targets": "recruit_stage_on(r, p.ends_on) = 'development_target'",
    "probationary": "recruit_stage_on(r, p.ends_on) = 'probationary'",
    "converted": CONVERTED,
}
PERIOD_FIGURES = {**ADMISSION_FIGURES, **PIPELINE_FIGURES}
MONTH_FIGURES = [*ADMISSION_FIGURES, "converted"]
ALL_PERIOD_COLUMNS = [*PERIOD_FIGURES, "open_findings"]

# The recruit columns a contribution depends on: an update touching none of them is skipped.
CONTRIBUTION_COLUMNS = (
    "unit_path",
    "school_id",
    "approved_on",
    "exempt",
    "gender",
    "ethnicity",
    "birth_date",
    "education",
    "category",
    "high_knowledge",
    "professional_title",
    "applied_on",
    "activist_on",
    "target_on",
    "converted_on",
    "cancelled_on",
    "open_findings",
)
MILESTONES = {
    "applied_on": "application",
    "activist_on": "activist",
    "target_on": "development_target",
    "converted_on": "conversion_approval",
    "cancelled_on": "probation_cancellation",
}


def _int(expression: str) -> str:
    return f"coalesce(({expression}), false)::int"


def _period_values() -> str:
    figures = [f"{_int(sql)} AS {name}" for name, sql in PERIOD_FIGURES.items()]
    return ", ".join(
        [*figures, f"CASE WHEN {_MEMBER} THEN r.open_findings ELSE 0 END AS open_findings"]
    )


def _month_values(event: str) -> str:
    if event == "approval":
        figures = [f"{_int(sql)} AS {name}" for name, sql in ADMISSION_FIGURES.items()]
        return ", ".join([*figures, "0 AS converted"])
    return ", ".join([*(f"0 AS {name}" for name in ADMISSION_FIGURES), "1 AS converted"])


def _columns(names: list[str], prefix: str = "", suffix: str = "") -> str:
    return ", ".join(f"{prefix}{n}{suffix}" for n in names)


_CHAIN = (
    "generate_series(index(r.unit_path, r.school_id::text::ltree) + 1, nlevel(r.unit_path)) AS i"
)
_CHAIN_UNIT = "subltree(r.unit_path, i - 1, i)::text::bigint"
_COMMISSION_OF = "subltree(r.unit_path, 0, 1)::text::bigint"

# The trigger's sources in this revision: the set-returning functions above (0006 inlines them).
_SQL_FUNCTION_ROWS = (
    "SELECT *, 1 AS newer FROM recruit_tally_rows(NEW, 1)"
    " UNION ALL SELECT *, 0 FROM recruit_tally_rows(OLD, -1) WHERE TG_OP = 'UPDATE'"
)
_SQL_FUNCTION_MONTH_ROWS = (
    "SELECT *, 1 AS newer FROM recruit_month_rows(NEW, 1)"
    " UNION ALL SELECT *, 0 FROM recruit_month_rows(OLD, -1) WHERE TG_OP = 'UPDATE'"
)


def trigger_function(period_rows: str, month_rows: str) -> str:
    """``recruits_tally()``: apply the signed contributions ``period_rows`` / ``month_rows``
    (rows of a recruit's chain, ``newer`` marking the new place) to the tally tables, rows
    locked in (period, depth, id) order."""
    summed = _columns(ALL_PERIOD_COLUMNS, "sum(x.", ")::int")
    summed_month = _columns(MONTH_FIGURES, "sum(x.", ")::int")
    nonzero = " OR ".join(f"sum(x.{n}) <> 0" for n in ALL_PERIOD_COLUMNS)
    nonzero_month = " OR ".join(f"sum(x.{n}) <> 0" for n in MONTH_FIGURES)
    added = ", ".join(f"{n} = t.{n} + excluded.{n}" for n in ALL_PERIOD_COLUMNS)
    added_month = ", ".join(f"{n} = t.{n} + excluded.{n}" for n in MONTH_FIGURES)
    return f"""
        CREATE OR REPLACE FUNCTION recruits_tally() RETURNS trigger
        LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
        BEGIN
            INSERT INTO unit_tallies AS t
                   (period_id, unit_id, unit_path, school_id, {_columns(ALL_PERIOD_COLUMNS)})
            SELECT x.period_id, x.unit_id,
                   (array_agg(x.unit_path ORDER BY x.newer DESC))[1],
                   (array_agg(x.school_id ORDER BY x.newer DESC))[1], {summed}
              FROM ({period_rows}) x
             GROUP BY x.period_id, x.unit_id
            HAVING {nonzero}
             ORDER BY x.period_id, min(x.depth), x.unit_id
            ON CONFLICT (period_id, unit_id) DO UPDATE
               SET unit_path = excluded.unit_path, school_id = excluded.school_id, {added};

            INSERT INTO unit_month_tallies AS t
                   (period_id, unit_id, month, unit_path, school_id, {_columns(MONTH_FIGURES)})
            SELECT x.period_id, x.unit_id, x.month,
                   (array_agg(x.unit_path ORDER BY x.newer DESC))[1],
                   (array_agg(x.school_id ORDER BY x.newer DESC))[1], {summed_month}
              FROM ({month_rows}) x
             GROUP BY x.period_id, x.unit_id, x.month
            HAVING {nonzero_month}
             ORDER BY x.period_id, min(x.depth), x.unit_id, x.month
            ON CONFLICT (period_id, unit_id, month) DO UPDATE
               SET unit_path = excluded.unit_path, school_id = excluded.school_id, {added_month};
            RETURN NULL;
        END $$"""


def _functions() -> str:
    period_cols = ", ".join(f"{n} integer" for n in ALL_PERIOD_COLUMNS)
    month_cols = ", ".join(f"{n} integer" for n in MONTH_FIGURES)
    signed = _columns(ALL_PERIOD_COLUMNS, "sign * v.")
    signed_month = _columns(MONTH_FIGURES, "sign * v.")
    summed = _columns(ALL_PERIOD_COLUMNS, "sum(x.", ")::int")
    summed_month = _columns(MONTH_FIGURES, "sum(x.", ")::int")
    nonzero = " OR ".join(f"sum(x.{n}) <> 0" for n in ALL_PERIOD_COLUMNS)
    nonzero_month = " OR ".join(f"sum(x.{n}) <> 0" for n in MONTH_FIGURES)
    return f"""
        -- The stage a recruit stood at on a date (the furthest stage entered by then; a
        -- cancellation is final), NULL before it applied.
        CREATE FUNCTION recruit_stage_on(r recruits, d date) RETURNS text
        LANGUAGE sql IMMUTABLE AS $$
            SELECT CASE
                WHEN r.cancelled_on <= d THEN 'cancelled'
                WHEN r.converted_on <= d THEN 'full_member'
                WHEN r.approved_on <= d THEN 'probationary'
                WHEN r.target_on <= d THEN 'development_target'
                WHEN r.activist_on <= d THEN 'activist'
                WHEN r.applied_on <= d THEN 'applicant'
            END
        $$;

        -- One recruit's contribution to each open period, for every unit of its chain.
        CREATE FUNCTION recruit_tally_rows(r recruits, sign integer)
        RETURNS TABLE (period_id bigint, unit_id bigint, unit_path ltree, school_id bigint,
                       depth integer, {period_cols})
        LANGUAGE sql STABLE AS $$
            SELECT v.period_id, {_CHAIN_UNIT}, subpath(r.unit_path, 0, i), r.school_id, i,
                   {signed}
              FROM (SELECT p.id AS period_id, {_period_values()}
                      FROM plan_periods p
                     WHERE p.commission_id = {_COMMISSION_OF} AND p.state <> 'closed') v,
                   {_CHAIN}
        $$;

        CREATE FUNCTION recruit_month_rows(r recruits, sign integer)
        RETURNS TABLE (period_id bigint, unit_id bigint, month date, unit_path ltree,
                       school_id bigint, depth integer, {month_cols})
        LANGUAGE sql STABLE AS $$
            SELECT v.period_id, {_CHAIN_UNIT}, v.month, subpath(r.unit_path, 0, i), r.school_id,
                   i, {signed_month}
              FROM (SELECT p.id AS period_id, date_trunc('month', r.approved_on)::date AS month,
                           {_month_values("approval")}
                      FROM plan_periods p
                     WHERE p.commission_id = {_COMMISSION_OF} AND p.state <> 'closed'
                       AND {_ADMITTED}
                    UNION ALL
                    SELECT p.id, date_trunc('month', r.converted_on)::date,
                           {_month_values("conversion")}
                      FROM plan_periods p
                     WHERE p.commission_id = {_COMMISSION_OF} AND p.state <> 'closed'
                       AND {CONVERTED}) v,
                   {_CHAIN}
        $$;

        {trigger_function(_SQL_FUNCTION_ROWS, _SQL_FUNCTION_MONTH_ROWS)};

        -- What the tallies of one period under a path should hold, computed from the recruits.
        CREATE FUNCTION unit_tallies_computed(p_period bigint, p_under ltree)
        RETURNS TABLE (period_id bigint, unit_id bigint, unit_path ltree, school_id bigint,
                       {period_cols})
        LANGUAGE sql STABLE AS $$
            SELECT p_period, x.unit_id, x.unit_path, x.school_id, {summed}
              FROM recruits r
              CROSS JOIN LATERAL recruit_tally_rows(r, 1) x
             WHERE r.unit_path <@ p_under AND x.period_id = p_period
             GROUP BY x.unit_id, x.unit_path, x.school_id
            HAVING {nonzero}
        $$;

        CREATE FUNCTION unit_month_tallies_computed(p_period bigint, p_under ltree)
        RETURNS TABLE (period_id bigint, unit_id bigint, month date, unit_path ltree,
                       school_id bigint, {month_cols})
        LANGUAGE sql STABLE AS $$
            SELECT p_period, x.unit_id, x.month, x.unit_path, x.school_id, {summed_month}
              FROM recruits r
              CROSS JOIN LATERAL recruit_month_rows(r, 1) x
             WHERE r.unit_path <@ p_under AND x.period_id = p_period
             GROUP BY x.unit_id, x.month, x.unit_path, x.school_id
            HAVING {nonzero_month}
        $$;

        -- Replace the stored tallies of one period under a path by the computed ones (a new
        -- period; a bulk load that bypassed the trigger).
        CREATE FUNCTION unit_tallies_rebuild(p_period bigint, p_under ltree) RETURNS void
        LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
        BEGIN
            DELETE FROM unit_tallies WHERE period_id = p_period AND unit_path <@ p_under;
            DELETE FROM unit_month_tallies WHERE period_id = p_period AND unit_path <@ p_under;
            INSERT INTO unit_tallies (period_id, unit_id, unit_path, school_id,
                                      {_columns(ALL_PERIOD_COLUMNS)})
            SELECT * FROM unit_tallies_computed(p_period, p_under);
            INSERT INTO unit_month_tallies (period_id, unit_id, month, unit_path, school_id,
                                            {_columns(MONTH_FIGURES)})
            SELECT * FROM unit_month_tallies_computed(p_period, p_under);
        END $$;

        CREATE FUNCTION plan_periods_tally() RETURNS trigger
        LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
        BEGIN
            PERFORM unit_tallies_rebuild(NEW.id, NEW.commission_path);
            RETURN NULL;
        END $$;
    """


def upgrade() -> None:
    app = app_role()
    milestones = ", ".join(f"ADD COLUMN {column} date" for column in MILESTONES)
    figures = ",\n            ".join(f"{n} integer NOT NULL DEFAULT 0" for n in ALL_PERIOD_COLUMNS)
    month_figures = ",\n            ".join(f"{n} integer NOT NULL DEFAULT 0" for n in MONTH_FIGURES)
    execute_script(
        f"""
        ALTER TABLE recruits {milestones};

        CREATE TABLE unit_tallies (
            period_id bigint NOT NULL
                CONSTRAINT fk_unit_tallies_period_id_plan_periods REFERENCES plan_periods (id),
            unit_id bigint NOT NULL CONSTRAINT fk_unit_tallies_unit_id_units REFERENCES units (id),
            unit_path ltree NOT NULL,
            school_id bigint NOT NULL,
            {figures},
            CONSTRAINT pk_unit_tallies PRIMARY KEY (period_id, unit_id)
        );
        CREATE INDEX ix_unit_tallies_unit_path_gist ON unit_tallies USING gist (unit_path);
        -- A commission's line sums the rows of its schools.
        CREATE INDEX ix_unit_tallies_period_id_schools ON unit_tallies (period_id, school_id)
            WHERE unit_id = school_id;

        CREATE TABLE unit_month_tallies (
            period_id bigint NOT NULL
                CONSTRAINT fk_unit_month_tallies_period_id_plan_periods REFERENCES plan_periods (id),
            unit_id bigint NOT NULL
                CONSTRAINT fk_unit_month_tallies_unit_id_units REFERENCES units (id),
            month date NOT NULL,
            unit_path ltree NOT NULL,
            school_id bigint NOT NULL,
            {month_figures},
            CONSTRAINT pk_unit_month_tallies PRIMARY KEY (period_id, unit_id, month)
        );
        CREATE INDEX ix_unit_month_tallies_unit_path_gist ON unit_month_tallies
            USING gist (unit_path);
        CREATE INDEX ix_unit_month_tallies_period_id_schools ON unit_month_tallies
            (period_id, school_id) WHERE unit_id = school_id;
        """
    )
    for column, step in MILESTONES.items():
        op.execute(
            f"UPDATE recruits r SET {column} = s.on_date FROM ("
            " SELECT recruit_id, min(on_date) AS on_date FROM recruit_steps s"
            f" WHERE step_code = '{step}' AND NOT EXISTS"
            " (SELECT 1 FROM recruit_steps c WHERE c.supersedes_id = s.id)"
            " GROUP BY recruit_id) s WHERE s.recruit_id = r.id"
        )
    op.execute("UPDATE recruits SET applied_on = stage_since WHERE applied_on IS NULL")
    op.execute("ALTER TABLE recruits ALTER COLUMN applied_on SET NOT NULL")
    execute_script(_functions())
    changed = " OR ".join(f"OLD.{c} IS DISTINCT FROM NEW.{c}" for c in CONTRIBUTION_COLUMNS)
    execute_script(
        f"""
        CREATE TRIGGER recruits_tally_insert AFTER INSERT ON recruits
            FOR EACH ROW EXECUTE FUNCTION recruits_tally();
        CREATE TRIGGER recruits_tally_update AFTER UPDATE ON recruits
            FOR EACH ROW WHEN ({changed}) EXECUTE FUNCTION recruits_tally();
        CREATE TRIGGER plan_periods_tally AFTER INSERT ON plan_periods
            FOR EACH ROW EXECUTE FUNCTION plan_periods_tally();
        """
    )
    # Every existing period (closed ones included, once) from the recruits as they stand.
    op.execute("SELECT unit_tallies_rebuild(id, commission_path) FROM plan_periods")
    op.execute("ALTER TABLE unit_quotas DROP COLUMN admitted_total, DROP COLUMN admitted_exempt")
    scope = "(SELECT app_scope())"
    for table in ("unit_tallies", "unit_month_tallies"):
        protect(table, f"unit_path <@ {scope}")
    # Written by the database alone (the SECURITY DEFINER functions above), but for the path
    # copied onto them, which follows a unit moved within its school.
    op.execute(f"GRANT SELECT ON unit_tallies, unit_month_tallies TO {app}")
    op.execute(f"GRANT UPDATE (unit_path) ON unit_tallies, unit_month_tallies TO {app}")
    op.execute("REVOKE ALL ON FUNCTION unit_tallies_rebuild(bigint, ltree) FROM PUBLIC")


def downgrade() -> None:
    execute_script(
        """
        ALTER TABLE unit_quotas ADD COLUMN admitted_total integer NOT NULL DEFAULT 0,
            ADD COLUMN admitted_exempt integer NOT NULL DEFAULT 0;
        -- Back to admissions counted on the branch's own row, in the periods still open.
        INSERT INTO unit_quotas AS q (period_id, unit_id, unit_path, unit_kind, school_id,
                                      admitted_total, admitted_exempt)
        SELECT p.id, u.id, u.path, u.kind, u.school_id,
               count(*) FILTER (WHERE NOT r.exempt), count(*) FILTER (WHERE r.exempt)
          FROM recruits r
          JOIN units u ON u.id = r.branch_id
          JOIN plan_periods p ON p.commission_id = subltree(u.path, 0, 1)::text::bigint
                             AND p.state <> 'closed'
                             AND r.approved_on BETWEEN p.starts_on AND p.ends_on
         GROUP BY p.id, u.id, u.path, u.kind, u.school_id
        ON CONFLICT (period_id, unit_id) DO UPDATE
           SET admitted_total = excluded.admitted_total, admitted_exempt = excluded.admitted_exempt;
        DROP TRIGGER plan_periods_tally ON plan_periods;
        DROP TRIGGER recruits_tally_update ON recruits;
        DROP TRIGGER recruits_tally_insert ON recruits;
        DROP FUNCTION plan_periods_tally();
        DROP FUNCTION unit_tallies_rebuild(bigint, ltree);
        DROP FUNCTION unit_month_tallies_computed(bigint, ltree);
        DROP FUNCTION unit_tallies_computed(bigint, ltree);
        DROP FUNCTION recruits_tally();
        DROP FUNCTION recruit_month_rows(recruits, integer);
        DROP FUNCTION recruit_tally_rows(recruits, integer);
        DROP FUNCTION recruit_stage_on(recruits, date);
        DROP TABLE unit_month_tallies;
        DROP TABLE unit_tallies;
        ALTER TABLE recruits DROP COLUMN applied_on, DROP COLUMN activist_on,
            DROP COLUMN target_on, DROP COLUMN converted_on, DROP COLUMN cancelled_on;
        """
    )
