"""The recruits list: which recruits a caller's list holds (:class:`ListFilter`), as one
statement per shape of the filter (``tenants/shaped.py``) with the filter's values as
parameters. The ordinary list binds the values into it (:func:`filtered`); a compiled
document's page keeps its JSON statement per shape and passes them (``json_pages.py``)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import ARRAY

from partyplan.models import recruits, units
from partyplan.resolvers import paging
from partyplan.resolvers.paging import Keyset, Page
from partyplan.resolvers.units.repository import joined_unit_columns
from partyplan.tenants.scope import ScopeShape, Subtree
from partyplan.tenants.session import Session
from partyplan.tenants.shaped import param

# Everything but the encrypted columns: lists never carry ciphertext they do not show.
RECRUIT_COLUMNS = tuple(c for c in recruits.c if not c.name.endswith("_enc"))

# A list joins each recruit's branch: it shows it on every row (a recruit the caller reads lies
# in the caller's units, and so does its branch).
_BRANCH = units.alias("branch")
_BRANCH_COLUMNS = joined_unit_columns(_BRANCH, "branch_unit_")


@dataclass(frozen=True, slots=True)
class ListFilter:
    """Which recruits a list holds (``service.reads.page_filter`` decides it for the caller)."""

    read_paths: list[str]
    under: Subtree | None
    stage: str | None
    category: str | None
    name_prefix: str | None
    id_lookups: Sequence[bytes] | None
    period: sa.Row | None
    with_pii: bool = False


@dataclass(frozen=True, slots=True)
class ListShape:
    """What decides the list's statement: its scope (``tenants.scope.ScopeShape``), which
    filters apply, whether the encrypted columns are read."""

    with_pii: bool
    scope: ScopeShape
    stage: bool
    category: bool
    name_prefix: bool
    id_lookups: bool
    period: bool


async def page(session: Session, listed: ListFilter, keyset: Keyset) -> Page:
    """Recruits in id order, keyset-paginated (:func:`filtered`)."""
    return await paging.fetch(session, filtered(listed), recruits.c.id, keyset)


def filtered(listed: ListFilter) -> sa.Select[Any]:
    """Recruits inside ``read_paths`` with their branch joined, filtered, unordered (the
    statement a page is drawn from). With ``period``: those admitted (approved) within it."""
    shape, values = shaped(listed)
    return template(shape).params(values)


def shaped(listed: ListFilter) -> tuple[ListShape, dict[str, Any]]:
    """The list's shape (:func:`template`) and the values of its parameters."""
    values: dict[str, Any] = {}
    scope = ScopeShape.of(listed.read_paths, listed.under, values)
    if listed.stage is not None:
        values["p_stage"] = listed.stage
    if listed.category is not None:
        values["p_category"] = listed.category
    if listed.name_prefix:
        escaped = listed.name_prefix.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        values["p_name_like"] = escaped + "%"
    if listed.id_lookups is not None:
        values["p_id_lookups"] = list(listed.id_lookups)
    if listed.period is not None:
        values["p_approved_from"] = listed.period.starts_on
        values["p_approved_to"] = listed.period.ends_on
    shape = ListShape(
        with_pii=listed.with_pii,
        scope=scope,
        stage=listed.stage is not None,
        category=listed.category is not None,
        name_prefix=bool(listed.name_prefix),
        id_lookups=listed.id_lookups is not None,
        period=listed.period is not None,
    )
    return shape, values


@cache
def template(shape: ListShape) -> sa.Select[Any]:
    """The list's filtered statement for ``shape``, its values the parameters :func:`shaped`
    gives (built once per shape)."""
    columns = tuple(recruits.c) if shape.with_pii else RECRUIT_COLUMNS
    stmt = (
        sa.select(*columns, *_BRANCH_COLUMNS)
        .join(_BRANCH, _BRANCH.c.id == recruits.c.branch_id)
        .where(shape.scope.condition(recruits.c.unit_path, recruits.c.school_id))
    )
    if shape.stage:
        stmt = stmt.where(recruits.c.stage == param("stage", recruits.c.stage.type))
    if shape.category:
        stmt = stmt.where(recruits.c.category == param("category", recruits.c.category.type))
    if shape.name_prefix:
        stmt = stmt.where(recruits.c.name.like(param("name_like", sa.Text)))
    if shape.id_lookups:
        hashes = param("id_lookups", ARRAY(recruits.c.id_number_hash.type))
        stmt = stmt.where(recruits.c.id_number_hash == sa.any_(hashes))
    if shape.period:
        stmt = stmt.where(
            recruits.c.approved_on.between(
                param("approved_from", sa.Date), param("approved_to", sa.Date)
            )
        )
    return stmt
