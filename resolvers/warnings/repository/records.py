"""What the scan reads of the recruits' records: overdue steps, the 12371 items due and not
recorded (the SQL that tells an item recorded lives here, its name and label in
``requirements``), and branches with activists and no recent admission."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from types import MappingProxyType
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from ..rules.requirements import ITEMS, STAGE_MILESTONES, STAGE_ORDER


async def _rows(conn: AsyncConnection, sql: str, **params: Any) -> list[sa.Row]:
    return list((await conn.execute(sa.text(sql), params)).all())


async def overdue(conn: AsyncConnection, commission_path: str, due_before: date) -> list[sa.Row]:
    """The commission's open recruits (neither full members nor cancelled) whose next step was
    due before ``due_before``: ``id``, ``branch_id``, ``path``, ``school_id``, ``next_step``,
    ``next_due_on``, ``branch`` (its name)."""
    return await _rows(
        conn,
        "SELECT r.id, r.branch_id, r.unit_path::text AS path, r.school_id, r.next_step,"
        " r.next_due_on, u.name AS branch"
        " FROM recruits r JOIN units u ON u.id = r.branch_id"
        " WHERE r.unit_path <@ CAST(:c AS ltree) AND r.next_due_on < :limit"
        " AND r.stage NOT IN ('full_member', 'cancelled')",
        c=commission_path,
        limit=due_before,
    )


async def idle_branches(conn: AsyncConnection, commission_path: str, since: date) -> list[sa.Row]:
    """The commission's active branches created before ``since`` with activists or development
    targets (there now) and no admission approved there since then (an admission stays with the
    branch that approved it, wherever the recruit went): ``id``, ``path``, ``school_id``, ``name``,
    ``activists``, ``last_admission`` (None when never)."""
    return await _rows(
        conn,
        "SELECT u.id, u.path::text AS path, u.school_id, u.name, a.activists, a.last_admission"
        " FROM units u CROSS JOIN LATERAL ("
        "  SELECT count(*) FILTER (WHERE r.stage IN ('activist', 'development_target')) AS activists,"
        "         (SELECT max(x.approved_on) FROM recruits x WHERE x.admitted_path <@ u.path"
        "           AND x.annulled_on IS NULL)"
        "           AS last_admission"
        "    FROM recruits r WHERE r.branch_id = u.id) a"
        " WHERE u.kind = 'branch' AND u.active AND u.path <@ CAST(:c AS ltree)"
        " AND u.created_at < CAST(:since AS date) AND a.activists > 0"
        " AND (a.last_admission IS NULL OR a.last_admission < :since)",
        c=commission_path,
        since=since,
    )


async def missing_items(
    conn: AsyncConnection, commission_path: str, today: date, requirements: list[dict[str, Any]]
) -> list[sa.Row]:
    """The commission's recruits (not cancelled) lacking an item due by ``requirements`` (as
    ``requirements.check_requirements`` keeps them) on ``today``: ``id``, ``branch_id``,
    ``path``, ``school_id``, ``branch`` (its name), ``missing`` (the items' labels)."""
    sql = missing_items_sql(requirements)
    return await _rows(
        conn,
        "SELECT * FROM (SELECT r.id, r.branch_id, r.unit_path::text AS path, r.school_id,"
        f" u.name AS branch, {sql.missing} AS missing"
        f" FROM recruits r{sql.steps} JOIN units u ON u.id = r.branch_id"
        " WHERE r.unit_path <@ CAST(:c AS ltree) AND r.stage <> 'cancelled') x"
        " WHERE cardinality(x.missing) > 0",
        c=commission_path,
        today=today,
    )


@dataclass(frozen=True)
class StepItem:
    """Recorded when the recruit has a current (not superseded) step ``code`` whose data meet
    ``condition`` (SQL over the step ``s``)."""

    code: str
    condition: str = "true"


_VOTES = "s.data ?& array['entitled', 'present', 'in_favour']"

# Each item of ``requirements.ITEMS``: SQL over the recruit ``r`` that holds when it is
# recorded, or the step that records it.
RECORDED: Mapping[str, str | StepItem] = MappingProxyType(
    {
        "name": "btrim(r.name) <> ''",
        "gender": "r.gender IS NOT NULL",
        "id_number": "r.id_number_hash IS NOT NULL",
        "ethnicity": "r.ethnicity IS NOT NULL",
        "birth_date": "r.birth_date IS NOT NULL",
        "education": "r.education IS NOT NULL",
        "category": "r.category IS NOT NULL",
        "branch": "r.branch_id IS NOT NULL",
        "application_date": "r.applied_on IS NOT NULL",
        "phone": "r.phone_enc IS NOT NULL",
        "activist_date": "r.activist_on IS NOT NULL",
        "contacts": StepItem("contacts", "jsonb_array_length(s.data->'contacts') >= 2"),
        "recommended_by": StepItem("activist", "s.data ? 'recommended_by'"),
        "target_date": "r.target_on IS NOT NULL",
        "political_review": StepItem("political_review", "s.data ? 'conclusion'"),
        "training": StepItem("training", "s.data ? 'hours' OR s.data ? 'days'"),
        "pre_review": StepItem("pre_review"),
        "introducers": StepItem("introducers", "jsonb_array_length(s.data->'introducers') >= 2"),
        "branch_meeting": StepItem("branch_meeting", _VOTES),
        "approval": "r.approved_on IS NOT NULL",
        "oath": StepItem("oath"),
        "conversion_application": StepItem("conversion_application"),
        "conversion_meeting": StepItem("conversion_meeting", _VOTES),
        "conversion_approval": "r.converted_on IS NOT NULL",
    }
)
assert set(RECORDED) == set(ITEMS), "every item of the vocabulary is checkable, and only those"


@dataclass(frozen=True)
class MissingItemsSql:
    """``missing``: an SQL ``text[]`` over recruit ``r`` and date ``:today``, the labels of the
    items due and not recorded; it reads the step items from ``steps``, a ``LEFT JOIN LATERAL``
    to place after ``r`` (empty when no item is a step's).

    The lateral reads one recruit's current steps through ``ix_recruit_steps_recruit_id`` once
    for every step item together: the scan's cost follows the commission's recruits, where an
    ``EXISTS`` per item let the planner hash the whole of ``recruit_steps`` once per item.
    """

    missing: str
    steps: str


def missing_items_sql(requirements: list[dict[str, Any]]) -> MissingItemsSql:
    """An item is due once the recruit has been in the entry's stage for its grace days, or as
    soon as it has moved on to a later stage (an item recorded during a stage is certainly due
    by then)."""
    cases, step_items, step_stages = [], {}, set()
    for entry in requirements:
        stage, label, recorded = entry["stage"], ITEMS[entry["item"]], RECORDED[entry["item"]]
        if isinstance(recorded, StepItem):
            step_items[entry["item"]] = recorded
            step_stages.add(STAGE_MILESTONES[stage])
            recorded = f'coalesce(st."{entry["item"]}", false)'
        milestone = STAGE_MILESTONES[stage]
        later = [STAGE_MILESTONES[s] for s in STAGE_ORDER[STAGE_ORDER.index(stage) + 1 :]]
        due = f"r.{milestone} + {int(entry['grace_days'])} <= CAST(:today AS date)"
        if later:
            due = f"({due} OR " + " OR ".join(f"r.{m} IS NOT NULL" for m in later) + ")"
        cases.append(
            f"CASE WHEN r.{milestone} IS NOT NULL AND {due} AND NOT ({recorded}) THEN '{label}' END"
        )
    missing = (
        "array_remove(ARRAY[" + ", ".join(cases) + "]::text[], NULL)"
        if cases
        else ("ARRAY[]::text[]")
    )
    return MissingItemsSql(missing, _steps_lateral(step_items, sorted(step_stages)))


def _steps_lateral(items: dict[str, StepItem], milestones: list[str]) -> str:
    """Skipped (a one-time filter) for a recruit who has reached none of the items' stages."""
    if not items:
        return ""
    columns = ", ".join(
        f"bool_or(s.step_code = '{item.code}' AND ({item.condition})) AS \"{name}\""
        for name, item in items.items()
    )
    codes = ", ".join(sorted({f"'{item.code}'" for item in items.values()}))
    return (
        f" LEFT JOIN LATERAL (SELECT {columns} FROM recruit_steps s"
        f" WHERE s.recruit_id = r.id AND s.step_code IN ({codes})"
        f" AND ({' OR '.join(f'r.{m} IS NOT NULL' for m in milestones)})"
        " AND NOT EXISTS (SELECT 1 FROM recruit_steps c WHERE c.supersedes_id = s.id)) st ON true"
    )
