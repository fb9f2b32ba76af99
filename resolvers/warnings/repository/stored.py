"""The stored warnings and the commissions' rule settings: what the API lists and acknowledges,
and what the scan raises, updates and resolves."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from functools import cache
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.ext.asyncio import AsyncConnection

from partyplan.auth.principal import is_within
from partyplan.models import units, warning_rules, warnings
from partyplan.resolvers import paging
from partyplan.resolvers.paging import JsonPages, Keyset, Page
from partyplan.tenants.scope import ScopeShape, Subtree
from partyplan.tenants.session import Session
from partyplan.tenants.shaped import param

WARNING_COLUMNS = (*warnings.c, units.c.name.label("unit_name"))


def _joined() -> sa.Select:
    return sa.select(*WARNING_COLUMNS).select_from(
        warnings.join(units, units.c.id == warnings.c.unit_id)
    )


async def page(
    session: Session,
    *,
    read_paths: list[str],
    under: Subtree | None,
    kind: str | None,
    status: str | None,
    keyset: Keyset,
) -> Page:
    """Newest first: one statement, the unit's name joined."""
    stmt = filtered(read_paths=read_paths, under=under, kind=kind, status=status)
    return await paging.fetch(session, stmt, warnings.c.id, keyset, descending=True)


@dataclass(frozen=True, slots=True)
class WarningShape:
    """What decides a warnings list's statement (``tenants/shaped.py``)."""

    scope: ScopeShape
    kind: bool
    status: bool


#: A warnings list: its shape and the values of its parameters (:func:`shaped`).
WarningList = tuple[WarningShape, dict[str, Any]]


def filtered(
    *, read_paths: list[str], under: Subtree | None, kind: str | None, status: str | None
) -> sa.Select[Any]:
    """The warnings a list holds, the unit's name joined, unordered (a page is drawn from it)."""
    shape, values = shaped(read_paths=read_paths, under=under, kind=kind, status=status)
    return template(shape).params(values)


def shaped(
    *, read_paths: list[str], under: Subtree | None, kind: str | None, status: str | None
) -> WarningList:
    values: dict[str, Any] = {}
    scope = ScopeShape.of(read_paths, under, values)
    if kind is not None:
        values["p_kind"] = kind
    if status is not None:
        values["p_status"] = status
    shape = WarningShape(
        scope=scope,
        kind=kind is not None,
        status=status is not None,
    )
    return shape, values


@cache
def template(shape: WarningShape) -> sa.Select[Any]:
    """The list's statement for ``shape``, built once; its values are :func:`shaped`'s."""
    stmt = _joined().where(shape.scope.condition(warnings.c.unit_path, warnings.c.school_id))
    if shape.kind:
        stmt = stmt.where(warnings.c.kind == param("kind", warnings.c.kind.type))
    if shape.status:
        stmt = stmt.where(warnings.c.status == param("status", warnings.c.status.type))
    return stmt


async def page_json(session: Session, listed: WarningList, keyset: Keyset, pages: JsonPages) -> str:
    """The JSON text ``pages`` makes of the page ``keyset`` of ``listed`` (:func:`shaped`),
    newest first as :func:`page` reads it."""
    shape, values = listed
    return await pages.fetch(
        session, template, shape, values, warnings.c.id, keyset, descending=True
    )


# Open warnings by kind for many targets (a unit, a period) at once, read from the tallies the
# database keeps (migration 0016): a unit at or below a school reads its own rows (its subtree's
# counts), a commission its own and its schools' (the partial index of school rows; the
# commission by its label, which no other index serves: a path test would add the path index's
# scan of the whole province); two guarded branches rather than one OR, so that each keeps its
# index. Rows of the period and of none (period 0); rows fallen to zero are skipped.
_OPEN_COUNTS = sa.text("""
SELECT t.ord, w.kind, sum(w.open_count)::bigint AS count
  FROM unnest(CAST(:ords AS int[]), CAST(:units AS bigint[]), CAST(:periods AS bigint[]),
              CAST(:commissions AS ltree[])) AS t(ord, unit_id, period_id, commission)
 CROSS JOIN LATERAL (
       SELECT w.kind, w.open_count FROM warning_tallies w
        WHERE w.unit_id = t.unit_id AND w.period_id IN (t.period_id, 0)
       UNION ALL
       SELECT w.kind, w.open_count FROM warning_tallies w
        WHERE t.commission IS NOT NULL AND w.period_id IN (t.period_id, 0)
          AND w.unit_id = w.school_id AND subltree(w.unit_path, 0, 1) = t.commission) w
 WHERE w.open_count > 0
 GROUP BY t.ord, w.kind
""")


def _depth(path: str) -> int:
    return path.count(".") + 1


def school_of(path: str) -> int | None:
    """The school a unit's path lies in; None for a commission's. A path is the ids of the
    unit's ancestors and its own (``units_derive``), and a school sits right under its
    commission (``ALLOWED_PARENTS``): the second label is the school's id."""
    labels = path.split(".")
    return int(labels[1]) if len(labels) > 1 else None


def _read_parts(path: str, roots: list[str]) -> list[str]:
    """The subtrees that make up what the caller reads of ``path``'s: the whole of it when it
    lies inside a root, else the roots inside it (``roots`` none inside another, so that no
    warning counts twice)."""
    if any(is_within(path, root) for root in roots):
        return [path]
    return [root for root in roots if is_within(root, path)]


def open_counts_params(
    lines: Sequence[tuple[str, int]], read_paths: list[str]
) -> dict[str, list[Any]] | None:
    """The parameters of the open counts' statement for ``lines`` (None: nothing is read)."""
    roots: list[str] = []
    for path in sorted(set(read_paths), key=_depth):
        if not any(is_within(path, root) for root in roots):
            roots.append(path)
    targets = [
        (ord_, part, period)
        for ord_, (path, period) in enumerate(lines)
        for part in _read_parts(path, roots)
    ]
    if not targets:
        return None
    return {
        "ords": [ord_ for ord_, _, _ in targets],
        # A path's last label is its unit's id.
        "units": [int(part.rsplit(".", 1)[-1]) for _, part, _ in targets],
        "periods": [period for _, _, period in targets],
        "commissions": [part if school_of(part) is None else None for _, part, _ in targets],
    }


async def open_counts(
    session: Session, lines: Sequence[tuple[str, int]], *, read_paths: list[str]
) -> list[dict[str, int]]:
    """For each (unit path, period) of ``lines``, in order: the open warnings at the unit and
    below whose period is that one or none, by kind (kinds without any left out). One
    statement for every line. ``read_paths`` narrows to where the caller reads (a line partly
    read counts the subtrees read), row-level security to the caller's scope."""
    counts: list[dict[str, int]] = [{} for _ in lines]
    params = open_counts_params(lines, read_paths)
    if params is None:
        return counts
    for row in await session.execute(_OPEN_COUNTS, params):
        counts[row.ord][row.kind] = int(row.count)
    return counts


async def get(session: Session, warning_id: int, *, lock: bool = False) -> sa.Row | None:
    stmt = _joined().where(warnings.c.id == warning_id)
    if lock:
        stmt = stmt.with_for_update(of=warnings)
    return (await session.execute(stmt)).first()


async def acknowledge(session: Session, warning_id: int, note: str | None) -> None:
    await session.execute(
        sa.update(warnings)
        .where(warnings.c.id == warning_id)
        .values(
            status="acknowledged",
            acknowledged_by=session.principal.user_id,
            acknowledged_at=sa.func.now(),
            acknowledgement=note,
        )
    )


async def rules(session: Session | AsyncConnection, commission_id: int) -> dict[str, sa.Row]:
    """The commission's stored settings by kind (a kind without a row keeps its defaults). The
    API reads them as the caller; the scan, as the owner."""
    stmt = sa.select(warning_rules).where(warning_rules.c.commission_id == commission_id)
    return {r.kind: r for r in (await session.execute(stmt)).all()}


async def upsert_rule(
    session: Session, *, commission: sa.Row, kind: str, enabled: bool, params: dict[str, Any]
) -> sa.Row:
    values = {
        "enabled": enabled,
        "params": params,
        "updated_by": session.principal.user_id,
        "updated_at": sa.func.now(),
    }
    stmt = (
        pg_insert(warning_rules)
        .values(commission_id=commission.id, commission_path=commission.path, kind=kind, **values)
        .on_conflict_do_update(index_elements=["commission_id", "kind"], set_=values)
        .returning(*warning_rules.c)
    )
    return (await session.execute(stmt)).one()


# --- the scan's writes (as the owner, over every school of a commission) ---------------------

_UPSERT = sa.text("""
INSERT INTO warnings AS w (kind, dedupe_key, unit_id, unit_path, school_id, period_id,
                           recruit_id, message, evidence, seen_on)
SELECT :kind, c.key, c.unit_id, CAST(c.unit_path AS ltree), c.school_id, c.period_id,
       c.recruit_id, c.message, c.evidence, :today
  FROM jsonb_to_recordset(CAST(:rows AS jsonb)) AS c(key text, unit_id bigint, unit_path text,
       school_id bigint, period_id bigint, recruit_id bigint, message text, evidence jsonb)
ON CONFLICT (kind, dedupe_key) DO UPDATE
   SET message = excluded.message, evidence = excluded.evidence, unit_id = excluded.unit_id,
       unit_path = excluded.unit_path, school_id = excluded.school_id, seen_on = excluded.seen_on,
       status = CASE WHEN w.status = 'resolved' THEN 'open' ELSE w.status END,
       raised_at = CASE WHEN w.status = 'resolved' THEN now() ELSE w.raised_at END,
       resolved_at = NULL
 WHERE w.status = 'resolved' OR w.evidence IS DISTINCT FROM excluded.evidence
       OR w.message IS DISTINCT FROM excluded.message OR w.unit_path <> excluded.unit_path
RETURNING (xmax = 0) AS inserted
""")

_RESOLVE = sa.text("""
UPDATE warnings SET status = 'resolved', resolved_at = now()
 WHERE kind = :kind AND status <> 'resolved' AND unit_path <@ CAST(:c AS ltree)
   AND NOT (dedupe_key = ANY(CAST(:keys AS text[])))
   AND (CAST(:all AS boolean) OR dedupe_key LIKE ANY(CAST(:patterns AS text[])))
""")


async def raise_candidates(
    conn: AsyncConnection, kind: str, today: date, candidates: list[dict[str, Any]]
) -> list[bool]:
    """Upsert the candidates on (kind, dedupe key), in one statement: a new one is raised, a
    standing one whose evidence, message or unit changed is updated, a resolved one that recurs
    is opened again, an unchanged one is not written. One flag per row written: True when
    raised (inserted), False when changed."""
    written = await conn.execute(
        _UPSERT, {"kind": kind, "today": today, "rows": json.dumps(candidates)}
    )
    return [r.inserted for r in written]


async def resolve_cleared(
    conn: AsyncConnection,
    kind: str,
    commission_path: str,
    keys: list[str],
    prefixes: list[str] | None,
) -> int:
    """Resolve the commission's standing warnings of ``kind`` not among ``keys`` whose dedupe
    key starts with one of ``prefixes`` (every key of the kind when None): the part of the
    warning space a rule judged. How many were resolved."""
    resolved = await conn.execute(
        _RESOLVE,
        {
            "kind": kind,
            "c": commission_path,
            "keys": keys,
            "all": prefixes is None,
            "patterns": [p.replace("%", r"\%") + "%" for p in prefixes or []],
        },
    )
    return resolved.rowcount


async def try_transaction_lock(conn: AsyncConnection, key: int) -> bool:
    """The advisory lock ``key`` until the transaction ends, without waiting: False when
    another transaction holds it."""
    return bool(await conn.scalar(sa.text("SELECT pg_try_advisory_xact_lock(:k)"), {"k": key}))
