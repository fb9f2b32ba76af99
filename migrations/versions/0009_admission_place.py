"""An admission stays counted where it was approved: the recruit keeps its admission's place.

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-23

Until now a recruit's whole contribution to the roll-ups followed its current branch, so
transferring an admitted recruit moved its admission (and the month of its approval) to the new
unit, and the admitting unit's completion changed after the fact. ``recruits`` gains the place
of its admission: ``admitted_branch_id``, a copy of that branch's path (``admitted_path``) and
its school (``admitted_school_id``), all three set exactly when ``approved_on`` is (a check
says so). The database sets them when the approval is written and never changes them on a
transfer (``migrations/tallies.py``, ``admission_place``).

The tally definitions now live in ``partyplan.migrations.tallies``, written directly over a
row alias; this revision installs the trigger and functions from it: admissions and their
structure (and the month of the approval) count along the admitting chain, the pipeline,
conversions and open findings along the current one. The set-returning SQL functions of 0004
(``recruit_tally_rows``, ``recruit_month_rows``, ``recruit_stage_on``) that the computed
tallies used are dropped: nothing reads them, and they count the old way. 0004 and 0006 stay as
they were applied.

**Backfill: where an admitted recruit was approved.** A step row's ``unit_path`` is no evidence
of it: a transfer rewrites the paths of the recruit's whole history (steps, findings, filings).
The audit log is: ``transferRecruit`` entries record the branch left (``before.branch_id``).
The recruit was at the approval where its first transfer *after* the approval took it from, or
where it is now when no transfer followed. "After" is judged by the audit log's order against
the ``recordStep`` entry that recorded the approval (the first one; imports record through it
too); for an approval recorded without one (bulk loads), by the transfer's time against the
earliest approval step row's ``created_at``. Then the open periods' tallies are rebuilt.

Downgrade drops the columns and restores 0004's functions and trigger (0006 inlined the same
expressions for speed only, so the figures are those of 0008) and rebuilds the open periods.
"""

from __future__ import annotations

import importlib

from partyplan.migrations import tallies
from partyplan.migrations.sqlscript import execute_script

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

_BACKFILL = """
WITH approval AS (
    SELECT r.id, r.branch_id,
           (SELECT min(a.id) FROM audit_log a
             WHERE a.object_type = 'Recruit' AND a.object_id = r.id
               AND a.operation = 'recordStep' AND a.after ->> 'step' = 'approval') AS entry_id,
           (SELECT min(s.created_at) FROM recruit_steps s
             WHERE s.recruit_id = r.id AND s.step_code = 'approval') AS recorded_at
      FROM recruits r
     WHERE r.approved_on IS NOT NULL
), place AS (
    SELECT a.id, coalesce(
               (SELECT u.id FROM audit_log t JOIN units u ON u.id = (t.before ->> 'branch_id')::bigint
                 WHERE t.object_type = 'Recruit' AND t.object_id = a.id
                   AND t.operation = 'transferRecruit'
                   AND CASE WHEN a.entry_id IS NOT NULL THEN t.id > a.entry_id
                            ELSE t.at > a.recorded_at END
                 ORDER BY t.id LIMIT 1),
               a.branch_id) AS branch_id
      FROM approval a
)
UPDATE recruits r
   SET admitted_branch_id = u.id, admitted_path = u.path, admitted_school_id = u.school_id
  FROM place, units u
 WHERE place.id = r.id AND u.id = place.branch_id
"""

_PLACE_CHECK = """
    (approved_on IS NULL AND admitted_branch_id IS NULL AND admitted_path IS NULL
     AND admitted_school_id IS NULL)
    OR (approved_on IS NOT NULL AND admitted_school_id IS NOT NULL
        AND subpath(admitted_path, -1)::text = admitted_branch_id::text)
"""

_REBUILD_OPEN = (
    "SELECT unit_tallies_rebuild(id, commission_path) FROM plan_periods WHERE state <> 'closed'"
)


def upgrade() -> None:
    execute_script(
        f"""
        ALTER TABLE recruits
            ADD COLUMN admitted_branch_id bigint
                CONSTRAINT fk_recruits_admitted_branch_id_units REFERENCES units (id),
            ADD COLUMN admitted_path ltree,
            ADD COLUMN admitted_school_id bigint
                CONSTRAINT fk_recruits_admitted_school_id_units REFERENCES units (id);
        {_BACKFILL};
        ALTER TABLE recruits ADD CONSTRAINT ck_recruits_admission_place CHECK ({_PLACE_CHECK});
        -- The copy a unit move rewrites (by exact path, per unit; see tallies.admission_place).
        CREATE INDEX ix_recruits_admitted_path_gist ON recruits USING gist (admitted_path)
            WHERE admitted_path IS NOT NULL;
        {tallies.admission_place()}
        DROP TRIGGER recruits_tally_update ON recruits;
        {tallies.functions(annulments=False)}
        {tallies.update_trigger(annulments=False)};
        DROP FUNCTION recruit_month_rows(recruits, integer);
        DROP FUNCTION recruit_tally_rows(recruits, integer);
        DROP FUNCTION recruit_stage_on(recruits, date);
        {_REBUILD_OPEN};
        """
    )


def downgrade() -> None:
    v4 = importlib.import_module("partyplan.migrations.versions.0004_rollups")
    execute_script(
        """
        DROP TRIGGER units_rebase_admissions ON units;
        DROP FUNCTION units_rebase_admissions();
        DROP TRIGGER recruits_admission_place ON recruits;
        DROP FUNCTION recruits_admission_place();
        DROP TRIGGER recruits_tally_update ON recruits;
        DROP TRIGGER recruits_tally_insert ON recruits;
        DROP TRIGGER plan_periods_tally ON plan_periods;
        DROP FUNCTION plan_periods_tally();
        DROP FUNCTION unit_tallies_rebuild(bigint, ltree);
        DROP FUNCTION unit_month_tallies_computed(bigint, ltree);
        DROP FUNCTION unit_tallies_computed(bigint, ltree);
        DROP FUNCTION recruits_tally();
        ALTER TABLE recruits DROP COLUMN admitted_school_id, DROP COLUMN admitted_path,
            DROP COLUMN admitted_branch_id;
        """
    )
    execute_script(v4._functions())
    execute_script(
        f"""
        {tallies.update_trigger(v4.CONTRIBUTION_COLUMNS)};
        CREATE TRIGGER recruits_tally_insert AFTER INSERT ON recruits
            FOR EACH ROW EXECUTE FUNCTION recruits_tally();
        CREATE TRIGGER plan_periods_tally AFTER INSERT ON plan_periods
            FOR EACH ROW EXECUTE FUNCTION plan_periods_tally();
        REVOKE ALL ON FUNCTION unit_tallies_rebuild(bigint, ltree) FROM PUBLIC;
        {_REBUILD_OPEN};
        """
    )
