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

Imports: ``models`` only (the figure names and their order), as every migration.
"""

from __future__ import annotations

from partyplan.models.rollups import ADMISSION_FIGURES as _ADMISSION_NAMES
from partyplan.models.rollups import MONTH_FIGURES, PERIOD_FIGURES, PIPELINE_FIGURES

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


def _void(r: str, annulments: bool) -> str:
    """The recruit's admission was annulled (nothing from its approval on counts)."""
    return f"{r}.annulled_on IS NOT NULL" if annulments else "false"


def admitted(r: str, annulments: bool = True) -> str:
    """The recruit was admitted (approved, step 17) within period ``p``, and the admission
    stands (not annulled)."""
    within = f"{r}.approved_on BETWEEN p.starts_on AND p.ends_on"
    return f"{within} AND {r}.annulled_on IS NULL" if annulments else within


def converted(r: str, annulments: bool = True) -> str:
    within = f"{r}.converted_on BETWEEN p.starts_on AND p.ends_on"
    return f"{within} AND {r}.annulled_on IS NULL" if annulments else within


def stage_on(r: str, on: str, annulments: bool = True) -> str:
    """The stage the recruit stood at on ``on`` (the furthest stage entered by then; a
    cancellation is final; an annulled admission leaves the procedure on its approval date),
    NULL before it applied."""
    void = (
        f"WHEN {r}.annulled_on IS NOT NULL AND {r}.approved_on <= {on} THEN 'annulled' "
        if annulments
        else ""
    )
    return (
        f"CASE {void}WHEN {r}.cancelled_on <= {on} THEN 'cancelled'"
        f" WHEN {r}.converted_on <= {on} THEN 'full_member'"
        f" WHEN {r}.approved_on <= {on} THEN 'probationary'"
        f" WHEN {r}.target_on <= {on} THEN 'development_target'"
        f" WHEN {r}.activist_on <= {on} THEN 'activist'"
        f" WHEN {r}.applied_on <= {on} THEN 'applicant' END"
    )


def admission_figures(r: str, annulments: bool = True) -> dict[str, str]:
    """Admissions and their structure (over every admission: counted against the quota or
    exempt), each a condition over recruit ``r`` and period ``p``."""
    within = admitted(r, annulments)
    return {
        "admitted": f"{within} AND NOT {r}.exempt",
        "admitted_exempt": f"{within} AND {r}.exempt",
        "women": f"{within} AND {r}.gender = 'female'",
        "ethnic_minority": f"{within} AND {r}.ethnicity <> '汉族'",
        "youth_35": f"{within} AND {r}.approved_on < ({r}.birth_date + interval '36 years')::date",
        "college_educated": f"{within} AND {r}.education <> 'below_college'",
        "students": f"{within} AND {r}.category IN ('undergraduate', 'postgraduate')",
        "staff": f"{within} AND {r}.category IN ('teacher', 'other_staff')",
        "high_knowledge": f"{within} AND {r}.high_knowledge",
        "professional_technical": f"{within} AND {r}.professional_title IS NOT NULL",
    }


def pipeline_figures(r: str, annulments: bool = True) -> dict[str, str]:
    """Where the recruit stood at the period's end, and its conversions within the period."""
    stage = f"({stage_on(r, 'p.ends_on', annulments)})"
    return {
        "applicants": f"{stage} = 'applicant'",
        "activists": f"{stage} = 'activist'",
        "development_targets": f"{stage} = 'development_target'",
        "probationary": f"{stage} = 'probationary'",
        "converted": converted(r, annulments),
    }


def member(r: str, annulments: bool = True) -> str:
    """The recruit takes part in period ``p``: it applied by the period's end and had not left
    the procedure (converted, cancelled, or its admission annulled: left on its approval date)
    before it started."""
    left = f"{r}.converted_on, {r}.cancelled_on"
    if annulments:
        left += f", CASE WHEN {_void(r, annulments)} THEN {r}.approved_on END"
    return f"{r}.applied_on <= p.ends_on AND coalesce(least({left}), 'infinity') >= p.starts_on"


def open_findings(r: str, annulments: bool = True) -> str:
    return f"CASE WHEN {member(r, annulments)} THEN {r}.open_findings ELSE 0 END"


if (
    tuple(admission_figures("r")) != _ADMISSION_NAMES
    or tuple(pipeline_figures("r")) != PIPELINE_FIGURES
):
    raise ImportError("the tally definitions and models.rollups name different figures")


def _int(condition: str) -> str:
    return f"coalesce(({condition}), false)::int"


def _chain_rows(
    path: str, school: str, periods: str, columns: str, where: str, recruits: str
) -> str:
    """One row per (period of ``periods``, unit of the chain from the school ``school`` down to
    the unit of ``path``): period_id, unit_id, unit_path, school_id, depth, then ``columns``
    (``expr AS name``). ``recruits``: a FROM item for the recruits (``recruits r, ``) or none
    (the trigger's row). A NULL path (no admission; ``OLD`` on an insert) has no chain and
    gives no row."""
    return (
        f"SELECT p.id AS period_id, subltree({path}, i - 1, i)::text::bigint AS unit_id,"
        f" subpath({path}, 0, i) AS unit_path, {school} AS school_id, i AS depth, {columns}"
        f" FROM {recruits}plan_periods p,"
        f" generate_series(index({path}, {school}::text::ltree) + 1, nlevel({path})) AS i"
        f" WHERE p.commission_id = subltree({path}, 0, 1)::text::bigint AND {periods}"
        f" AND {where}"
    )


def _admission_chain(r: str) -> tuple[str, str]:
    return f"{r}.admitted_path", f"{r}.admitted_school_id"


def _current_chain(r: str) -> tuple[str, str]:
    return f"{r}.unit_path", f"{r}.school_id"


def _newer(newer: int | None) -> str:
    return "" if newer is None else f"{newer} AS newer, "


def period_rows(
    r: str,
    sign: int,
    periods: str,
    newer: int | None = None,
    recruits: str = "",
    annulments: bool = True,
) -> str:
    """Recruit ``r``'s contribution (times ``sign``) to the tallies of ``periods``: admissions
    on the admitting chain, the pipeline and findings on the current one. Columns: period_id,
    unit_id, unit_path, school_id, depth, [newer,] then ``PERIOD_FIGURES`` in order.
    ``recruits``: see :func:`_chain_rows`."""
    admissions = admission_figures(r, annulments)
    on_admitting = ", ".join(
        [f"{sign} * {_int(admissions[n])} AS {n}" for n in _ADMISSION_NAMES]
        + [f"0 AS {n}" for n in (*PIPELINE_FIGURES, "open_findings")]
    )
    pipeline = pipeline_figures(r, annulments)
    on_current = ", ".join(
        [f"0 AS {n}" for n in _ADMISSION_NAMES]
        + [f"{sign} * {_int(pipeline[n])} AS {n}" for n in PIPELINE_FIGURES]
        + [f"{sign} * {open_findings(r, annulments)} AS open_findings"]
    )
    # Admission rows only for the period containing the approval: every other one adds zeros.
    return (
        _chain_rows(
            *_admission_chain(r),
            periods,
            _newer(newer) + on_admitting,
            admitted(r, annulments),
            recruits,
        )
        + " UNION ALL "
        + _chain_rows(*_current_chain(r), periods, _newer(newer) + on_current, "true", recruits)
    )


def month_rows(
    r: str,
    sign: int,
    periods: str,
    newer: int | None = None,
    recruits: str = "",
    annulments: bool = True,
) -> str:
    """Recruit ``r``'s contribution (times ``sign``) to the month tallies of ``periods``: its
    approval's month on the admitting chain, its conversion's on the current one. Columns:
    period_id, unit_id, unit_path, school_id, depth, [newer,] month, then ``MONTH_FIGURES``."""
    admissions = admission_figures(r, annulments)
    approval = ", ".join(
        [f"date_trunc('month', {r}.approved_on)::date AS month"]
        + [f"{sign} * {_int(admissions[n])} AS {n}" for n in _ADMISSION_NAMES]
        + ["0 AS converted"]
    )
    conversion = ", ".join(
        [f"date_trunc('month', {r}.converted_on)::date AS month"]
        + [f"0 AS {n}" for n in _ADMISSION_NAMES]
        + [f"{sign} AS converted"]
    )
    return (
        _chain_rows(
            *_admission_chain(r),
            periods,
            _newer(newer) + approval,
            admitted(r, annulments),
            recruits,
        )
        + " UNION ALL "
        + _chain_rows(
            *_current_chain(r),
            periods,
            _newer(newer) + conversion,
            converted(r, annulments),
            recruits,
        )
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
