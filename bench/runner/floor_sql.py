"""The SQL of the floor (and of pgbench): per read scenario, the data statements our
repositories run for it, after the same binding of the principal.

Written with ``:name`` parameters, which pgbench substitutes from ``-D name=value`` and
:func:`to_dollar` turns into asyncpg's ``$n``. Q1 is the roll-up repository's own statement
(imported, not copied); the others restate the repository queries with only the columns the
scenario's document shows. A list under a unit first reads the unit, as our service does, and
passes its school on as a parameter: the scenarios list under a school, which our repositories
narrow to by ``school_id`` (tenants/scope.py ``in_subtree``), inside the caller's read paths
tested with ``<@@`` (migration 0008). What the floor leaves out on purpose is our other lookups (the period, the targets
nobody asked for); the statement counts printed beside each server show that difference.
"""

from __future__ import annotations

import re

from partyplan.migrations import tallies
from partyplan.models.rollups import PERIOD_FIGURES
from partyplan.resolvers.rollups.repository import _LINES

# Sets app.user_id and app.scope with set_config(..., true) and returns the bindings: the
# same function, so the same row-level security, as our service (tenants/binding.py).
BIND = "SELECT * FROM app_bind_principal(:user)"

# Q1: the commission's line and one per school, read from the tallies.
ROLLUP = _LINES


def _live_rollup() -> str:
    """One line per school of the commission, aggregated from the recruits on every request,
    with the figures the tallies hold: the definitions of ``partyplan.migrations.tallies``
    themselves (admissions with the school that approved them, the pipeline and findings with
    the recruit's school), so the agreement check compares two evaluations of one definition."""
    admissions = tallies.admission_figures("r")
    pipeline = tallies.pipeline_figures("r")
    admitted = ", ".join(
        f"sum(coalesce(({sql}), false)::int) AS {n}" for n, sql in admissions.items()
    )
    followed = ", ".join(
        [f"sum(coalesce(({sql}), false)::int) AS {n}" for n, sql in pipeline.items()]
        + [f"sum({tallies.open_findings('r')}) AS open_findings"]
    )
    figures = ", ".join(
        f"coalesce({'a' if n in admissions else 'f'}.{n}, 0)::int AS {n}" for n in PERIOD_FIGURES
    )
    return f"""
SELECT s.id AS unit_id, s.name AS unit_name, coalesce(q.received_total, 0) AS plan, {figures}
  FROM plan_periods p
  JOIN units s ON s.parent_id = :unit
  LEFT JOIN unit_quotas q ON q.period_id = p.id AND q.unit_id = s.id
  LEFT JOIN (
      SELECT r.admitted_school_id AS school_id, {admitted}
        FROM plan_periods p JOIN recruits r ON r.admitted_path <@ p.commission_path
       WHERE p.id = :period AND {tallies.admitted("r")}
       GROUP BY r.admitted_school_id
  ) a ON a.school_id = s.id
  LEFT JOIN (
      SELECT r.school_id, {followed}
        FROM plan_periods p JOIN recruits r ON r.unit_path <@ p.commission_path
       WHERE p.id = :period
       GROUP BY r.school_id
  ) f ON f.school_id = s.id
 WHERE p.id = :period
   AND (s.active OR q.unit_id IS NOT NULL OR a.school_id IS NOT NULL OR f.school_id IS NOT NULL)
 ORDER BY s.id"""


LIVE_ROLLUP = _live_rollup()

# Q2 (plans.service.reads.plan): the unit's balance, its children's lines, admissions per
# subtree from the tallies (the roll-up repository's guarded branches).
PLAN_OWN = """
SELECT q.received_total, q.received_students, q.received_staff, q.received_high_knowledge,
       q.handed_total, q.handed_students, q.handed_staff, q.handed_high_knowledge,
       q.reserve_total, q.reserve_students, q.reserve_staff, q.reserve_high_knowledge,
       q.forecast_total, q.forecast_remark, u.name AS unit_name
  FROM units u LEFT JOIN unit_quotas q ON q.period_id = :period AND q.unit_id = u.id
 WHERE u.id = :unit"""
PLAN_CHILDREN = """
SELECT u.id AS unit_id, u.name AS unit_name,
       coalesce(q.received_total, 0) AS received_total,
       coalesce(q.received_students, 0) AS received_students,
       coalesce(q.received_staff, 0) AS received_staff,
       coalesce(q.received_high_knowledge, 0) AS received_high_knowledge,
       coalesce(q.handed_total, 0) AS handed_total, coalesce(q.reserve_total, 0) AS reserve_total,
       coalesce(q.forecast_total, 0) AS forecast_total,
       coalesce(q.forecast_students, 0) AS forecast_students,
       coalesce(q.forecast_staff, 0) AS forecast_staff,
       coalesce(q.forecast_high_knowledge, 0) AS forecast_high_knowledge, q.forecast_remark
  FROM units u LEFT JOIN unit_quotas q ON q.unit_id = u.id AND q.period_id = :period
 WHERE u.parent_id = :unit AND u.active
 ORDER BY u.id"""
PLAN_ADMITTED = """
SELECT u.id, f.admitted FROM units u CROSS JOIN LATERAL (
    SELECT coalesce(sum(t.admitted), 0)::int AS admitted FROM (
        SELECT * FROM unit_tallies t WHERE t.period_id = :period
           AND u.school_id IS NOT NULL AND t.unit_id = u.id
        UNION ALL
        SELECT * FROM unit_tallies t WHERE t.period_id = :period
           AND u.school_id IS NULL AND t.unit_id = t.school_id AND t.unit_path <@ u.path) t) f
 WHERE u.id = :unit OR (u.parent_id = :unit AND u.active)"""

# The unit a list is under (units.service.visible, row-level security deciding).
UNDER_SCHOOL = "SELECT school_id FROM units WHERE id = :under"

# Q3 (recruits.repository.page with the branch joined, findings_of_many): a keyset page under
# the unit inside the caller's read paths, each recruit with its branch's name, then the page's
# findings.
RECRUIT_PAGE = """
SELECT r.id, r.name, r.gender, r.category, r.stage, r.stage_since, r.next_step, r.next_due_on,
       r.open_findings, r.approved_on, r.branch_id, b.name AS branch_name
  FROM recruits r JOIN units b ON b.id = r.branch_id
 WHERE r.unit_path <@@ CAST(CAST(:paths AS text[]) AS ltree[])
   AND r.school_id = :under_school
 ORDER BY r.id LIMIT :limit"""
FINDINGS = """
SELECT recruit_id, rule_id, severity, step_code, message, due_on, days_late
  FROM recruit_findings WHERE recruit_id = ANY(CAST(:recruits AS bigint[]))
 ORDER BY recruit_id, id"""

# Q4 (warnings.repository.page): newest first, the unit's name joined.
WARNINGS = """
SELECT w.id, w.kind, w.status, w.message, w.evidence, w.unit_id, u.name AS unit_name,
       w.period_id, w.recruit_id, w.raised_at, w.seen_on
  FROM warnings w JOIN units u ON u.id = w.unit_id
 WHERE w.unit_path <@@ CAST(CAST(:paths AS text[]) AS ltree[])
   AND w.school_id = :under_school
   AND w.status = 'open'
 ORDER BY w.id DESC LIMIT :limit"""

# Per scenario, the statements in order (the floor runs them; pgbench replays them).
STATEMENTS: dict[str, tuple[str, ...]] = {
    "Q1": (BIND, ROLLUP),
    "Q1-live": (BIND, LIVE_ROLLUP),
    "Q2": (BIND, PLAN_OWN, PLAN_CHILDREN, PLAN_ADMITTED),
    "Q3": (BIND, UNDER_SCHOOL, RECRUIT_PAGE, FINDINGS),
    "Q4": (BIND, UNDER_SCHOOL, WARNINGS),
}

_PARAM = re.compile(r"(?<![:\w]):([A-Za-z_]\w*)")


def to_dollar(sql: str) -> tuple[str, list[str]]:
    """``:name`` → ``$n`` (one number per distinct name, in order of first use); ``::``
    casts are left alone. Returns the text and the names in parameter order."""
    names: list[str] = []

    def number(match: re.Match[str]) -> str:
        name = match.group(1)
        if name not in names:
            names.append(name)
        return f"${names.index(name) + 1}"

    return _PARAM.sub(number, sql), names
