"""What the roll-up tallies count: the one definition of every figure, as SQL over a recruit row.

A recruit's contribution to a plan period is a fixed vector of figures (the columns of
``unit_tallies``, :data:`partyplan.models.rollups.PERIOD_FIGURES`), added to every unit of a
chain from the school down to a branch:

* **admissions** (``admitted``, ``admitted_exempt`` and their structure,
  ``ADMISSION_FIGURES``) count where the admission was approved: along the chain of
  ``recruits.admitted_path`` (the branch the recruit belonged to when step 17 was recorded,
  kept under ``admitted_school_id``), in the period containing ``approved_on``. A transfer
  never moves them: the admitting unit's completion is what happened there;
* **the pipeline** (the stage at the period's end, conversions) and **open findings** follow
  the recruit: they count along the chain of its current ``unit_path``;
* **an annulled admission** (``recruits.annulled_on`` set: 一律不予承认, migration 0024) counts
  nowhere, in any open period: no admission, no conversion, no stage from its approval on
  (the recruit left the procedure on its approval date), so its open findings stop counting in
  the periods after it.

``unit_month_tallies`` holds the same by calendar month: approvals (with their structure) on the
admitting chain, conversions on the current one.

Every expression is written over a row alias (``r`` in the functions, ``NEW``/``OLD`` in the
trigger) and a period alias ``p``, so the trigger, ``unit_tallies_computed`` (what
``partyplan tallies verify`` and the tests compare the stored rows with) and the rebuilds are
built from the same text here, and the trigger's statements are planned once per session
(migration 0006's reason for inlining).

Migrations call :func:`functions` and :func:`update_trigger` (and the admission-place
triggers). ``annulments=False`` gives the definitions as 0009 installed them, before the column
they read existed (0009 itself, and 0024's downgrade, install those). A migration replays the
module as it stands, so a change here that reads a column must come with the migration that adds
the column and re-installs; an older migration replayed on an empty database then installs the
newest definitions, whose columns exist by the time the database is in use.

Where it is written: the figures, each a condition over a recruit row, in ``tally_figures``;
the rows a contribution adds up a chain of units in ``tally_rows``; here, the SQL the
migrations install from them (the trigger, the computed tallies, the rebuilds, the
admission place). Migrations import this module only: it re-exports the figures and rows
(the bench reads them here too).

Imports: ``models`` (the figure names and their order), as every migration, and the two
modules above.
"""

from __future__ import annotations

from partyplan.migrations.tally_figures import (
    admission_figures,
    admitted,
    converted,
    member,
    open_findings,
    pipeline_figures,
    stage_on,
)
from partyplan.migrations.tally_rows import month_rows, period_rows
from partyplan.models.rollups import MONTH_FIGURES, PERIOD_FIGURES

__all__ = [
    "CONTRIBUTION_COLUMNS",
    "OPEN",
    "admission_figures",
    "admission_place",
    "admitted",
    "converted",
    "functions",
    "member",
    "month_rows",
    "open_findings",
    "period_rows",
    "pipeline_figures",
    "stage_on",
    "trigger_function",
    "update_trigger",
]

#: The periods whose tallies the database keeps: a closed period is frozen.
OPEN = "p.state <> 'closed'"

#: The recruit columns a contribution depends on: an update touching none of them is skipped.
CONTRIBUTION_COLUMNS = (
    "unit_path",
    "school_id",
    "admitted_path",
    "admitted_school_id",
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
    "annulled_on",
)


def _columns(names: tuple[str, ...], prefix: str = "", suffix: str = "") -> str:
    return ", ".join(f"{prefix}{n}{suffix}" for n in names)


def _nonzero(names: tuple[str, ...]) -> str:
    return " OR ".join(f"sum(x.{n}) <> 0" for n in names)


def trigger_function(annulments: bool = True) -> str:
    """``recruits_tally()``: apply the difference between a recruit row's old and new
    contributions to both tally tables, one statement each. Rows are locked in (period, depth,
    id) order, so concurrent writers never deadlock; a row's path and school come from the new
    place. Rows stop at the school: a commission's figures are the sum of its schools' rows."""
    a = annulments
    period = (
        f"{period_rows('NEW', 1, OPEN, 1, annulments=a)}"
        f" UNION ALL {period_rows('OLD', -1, OPEN, 0, annulments=a)}"
    )
    month = (
        f"{month_rows('NEW', 1, OPEN, 1, annulments=a)}"
        f" UNION ALL {month_rows('OLD', -1, OPEN, 0, annulments=a)}"
    )
    added = ", ".join(f"{n} = t.{n} + excluded.{n}" for n in PERIOD_FIGURES)
    added_month = ", ".join(f"{n} = t.{n} + excluded.{n}" for n in MONTH_FIGURES)
    return f"""
        CREATE OR REPLACE FUNCTION recruits_tally() RETURNS trigger
        LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
        BEGIN
            INSERT INTO unit_tallies AS t
                   (period_id, unit_id, unit_path, school_id, {_columns(PERIOD_FIGURES)})
            SELECT x.period_id, x.unit_id,
                   (array_agg(x.unit_path ORDER BY x.newer DESC))[1],
                   (array_agg(x.school_id ORDER BY x.newer DESC))[1],
                   {_columns(PERIOD_FIGURES, "sum(x.", ")::int")}
              FROM ({period}) x
             GROUP BY x.period_id, x.unit_id
            HAVING {_nonzero(PERIOD_FIGURES)}
             ORDER BY x.period_id, min(x.depth), x.unit_id
            ON CONFLICT (period_id, unit_id) DO UPDATE
               SET unit_path = excluded.unit_path, school_id = excluded.school_id, {added};

            INSERT INTO unit_month_tallies AS t
                   (period_id, unit_id, month, unit_path, school_id, {_columns(MONTH_FIGURES)})
            SELECT x.period_id, x.unit_id, x.month,
                   (array_agg(x.unit_path ORDER BY x.newer DESC))[1],
                   (array_agg(x.school_id ORDER BY x.newer DESC))[1],
                   {_columns(MONTH_FIGURES, "sum(x.", ")::int")}
              FROM ({month}) x
             GROUP BY x.period_id, x.unit_id, x.month
            HAVING {_nonzero(MONTH_FIGURES)}
             ORDER BY x.period_id, min(x.depth), x.unit_id, x.month
            ON CONFLICT (period_id, unit_id, month) DO UPDATE
               SET unit_path = excluded.unit_path, school_id = excluded.school_id, {added_month};
            RETURN NULL;
        END $$"""


def _computed(table: str, annulments: bool = True) -> str:
    """``<table>_computed(period, under)``: what the stored rows of one open period whose unit
    lies under a path should hold, summed from the recruits."""
    period = table == "unit_tallies"
    names = PERIOD_FIGURES if period else MONTH_FIGURES
    rows = (period_rows if period else month_rows)(
        "r", 1, f"p.id = p_period AND {OPEN}", recruits="recruits r, ", annulments=annulments
    )
    month = "" if period else "month date, "
    x_month = "" if period else "x.month, "
    declared = ", ".join(f"{n} integer" for n in names)
    return f"""
        CREATE OR REPLACE FUNCTION {table}_computed(p_period bigint, p_under ltree)
        RETURNS TABLE (period_id bigint, unit_id bigint, {month}unit_path ltree,
                       school_id bigint, {declared})
        LANGUAGE sql STABLE AS $$
            SELECT p_period, x.unit_id, {x_month}x.unit_path, x.school_id,
                   {_columns(names, "sum(x.", ")::int")}
              FROM ({rows}) x
             WHERE x.unit_path <@ p_under
             GROUP BY x.unit_id, {x_month}x.unit_path, x.school_id
            HAVING {_nonzero(names)}
        $$"""


def functions(annulments: bool = True) -> str:
    """The tally functions: the trigger's, the computed tallies, the rebuild of a period and
    the tallying of a new one (``annulments=False``: as 0009 installed them)."""
    return f"""
        {trigger_function(annulments)};
        {_computed("unit_tallies", annulments)};
        {_computed("unit_month_tallies", annulments)};

        -- Replace the stored tallies of one period under a path by the computed ones (a new
        -- period; a bulk load that bypassed the trigger).
        CREATE OR REPLACE FUNCTION unit_tallies_rebuild(p_period bigint, p_under ltree)
        RETURNS void
        LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
        BEGIN
            DELETE FROM unit_tallies WHERE period_id = p_period AND unit_path <@ p_under;
            DELETE FROM unit_month_tallies WHERE period_id = p_period AND unit_path <@ p_under;
            INSERT INTO unit_tallies (period_id, unit_id, unit_path, school_id,
                                      {_columns(PERIOD_FIGURES)})
            SELECT * FROM unit_tallies_computed(p_period, p_under);
            INSERT INTO unit_month_tallies (period_id, unit_id, month, unit_path, school_id,
                                            {_columns(MONTH_FIGURES)})
            SELECT * FROM unit_month_tallies_computed(p_period, p_under);
        END $$;

        CREATE OR REPLACE FUNCTION plan_periods_tally() RETURNS trigger
        LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
        BEGIN
            PERFORM unit_tallies_rebuild(NEW.id, NEW.commission_path);
            RETURN NULL;
        END $$;
    """


def update_trigger(columns: tuple[str, ...] = CONTRIBUTION_COLUMNS, annulments: bool = True) -> str:
    """The trigger on updates, skipping those that touch none of ``columns`` (those a
    contribution depends on; ``annulments=False``: without the annulment's column)."""
    if not annulments:
        columns = tuple(c for c in columns if c != "annulled_on")
    changed = " OR ".join(f"OLD.{c} IS DISTINCT FROM NEW.{c}" for c in columns)
    return (
        "CREATE TRIGGER recruits_tally_update AFTER UPDATE ON recruits"
        f" FOR EACH ROW WHEN ({changed}) EXECUTE FUNCTION recruits_tally()"
    )


def admission_place() -> str:
    """Where an admission was approved, kept by the database for every writer (the service,
    imports, bulk loads: the trigger fires ``ALWAYS``, replica sessions included).

    ``recruits_admission_place``: when the approval date is written, a recruit without an
    admission place takes its current branch's (the approval is being recorded there); one
    that has it keeps it (a correction of step 17 or any later derivation, after a transfer
    too); a recruit with no approval has none. A transfer does not write ``approved_on`` and
    never reaches it.

    ``units_rebase_admissions``: the place is a copy of a unit's path, so a unit's new path is
    written onto the admissions approved there. By the database (as the owner), because a
    recruit transferred to another school since lies outside the scope of whoever moves its
    admitting unit; the moving transaction's own rewrite of the path copies (units/ties.py)
    then finds nothing left to do."""
    return """
        CREATE OR REPLACE FUNCTION recruits_admission_place() RETURNS trigger
        LANGUAGE plpgsql AS $$
        BEGIN
            IF NEW.approved_on IS NULL THEN
                NEW.admitted_branch_id := NULL;
                NEW.admitted_path := NULL;
                NEW.admitted_school_id := NULL;
            ELSIF NEW.admitted_branch_id IS NULL THEN
                NEW.admitted_branch_id := NEW.branch_id;
                NEW.admitted_path := NEW.unit_path;
                NEW.admitted_school_id := NEW.school_id;
            END IF;
            RETURN NEW;
        END $$;
        CREATE TRIGGER recruits_admission_place BEFORE INSERT OR UPDATE OF approved_on
            ON recruits FOR EACH ROW EXECUTE FUNCTION recruits_admission_place();
        ALTER TABLE recruits ENABLE ALWAYS TRIGGER recruits_admission_place;

        CREATE OR REPLACE FUNCTION units_rebase_admissions() RETURNS trigger
        LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
        BEGIN
            UPDATE recruits SET admitted_path = NEW.path WHERE admitted_path = OLD.path;
            RETURN NULL;
        END $$;
        CREATE TRIGGER units_rebase_admissions AFTER UPDATE ON units
            FOR EACH ROW WHEN (OLD.path IS DISTINCT FROM NEW.path)
            EXECUTE FUNCTION units_rebase_admissions();
    """
