"""The choke point for tenant scoping in resolvers.

Every resolver query on a tenant table passes through :func:`within`, which restricts a path
column to the subtrees where the caller holds a permission. Row-level security enforces the
wider scope (every subtree the caller holds any role in) independently, so a query that forgot
this filter still cannot leave the caller's school.

Scope tests use ``<@@`` (migration 0008): ltree's ``<@`` over an array, estimated to pass nearly
every row, which is what a scope test does to the rows a query otherwise selects. Narrowing to
a unit's subtree goes through :func:`in_subtree`, which says ``school_id = s`` wherever the
subtree lies in one school: an indexed equality the planner estimates from its statistics,
where an ltree test would be guessed at 0.1% of the table.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import ARRAY

from partyplan.auth.permissions import Permission
from partyplan.auth.principal import Binding, Principal
from partyplan.models.base import Ltree


def paths_param(paths: list[str]) -> sa.ColumnElement:
    return sa.cast(sa.cast(sa.literal(paths, ARRAY(sa.Text)), ARRAY(sa.Text)), ARRAY(Ltree))


def descendant_of_any(column: sa.ColumnElement, paths: list[str]) -> sa.ColumnElement[bool]:
    """``column <@@ paths``: the column lies in the subtree of one of ``paths`` (a scope test)."""
    if not paths:
        return sa.false()
    return column.op("<@@", return_type=sa.Boolean)(paths_param(paths))


def descendant_of(column: sa.ColumnElement, path: str) -> sa.ColumnElement[bool]:
    return column.op("<@", return_type=sa.Boolean)(sa.cast(sa.literal(path), Ltree))


def within(
    column: sa.ColumnElement, principal: Principal, permission: Permission
) -> sa.ColumnElement[bool]:
    """Restrict ``column`` (a unit path) to where ``principal`` holds ``permission``."""
    return descendant_of_any(column, principal.paths_with(permission))


@dataclass(frozen=True, slots=True)
class Subtree:
    """A unit's subtree, as a list narrows to it.

    ``school_id`` is the school the subtree lies in (None for a commission's, which spans
    schools); ``whole_school`` says the unit is that school, so ``school_id`` alone selects it.
    """

    path: str
    school_id: int | None
    whole_school: bool

    @classmethod
    def of_unit(cls, unit: Any) -> Subtree:
        """From a ``units`` row (a school's ``school_id`` is its own id)."""
        return cls(path=unit.path, school_id=unit.school_id, whole_school=unit.kind == "school")

    @classmethod
    def of_binding(cls, binding: Binding) -> Subtree:
        return cls(binding.unit_path, binding.school_id, binding.unit_kind == "school")


def in_subtree(
    path_column: sa.ColumnElement, school_column: sa.ColumnElement, subtree: Subtree
) -> sa.ColumnElement[bool]:
    """Rows whose unit lies in ``subtree``: by school where one school holds it, by path below.

    >>> str(in_subtree(sa.column("p"), sa.column("s"), Subtree("1.2", 2, True)))
    's = :s_1'
    """
    if subtree.school_id is None:
        return descendant_of(path_column, subtree.path)
    same_school = school_column == subtree.school_id
    if subtree.whole_school:
        return same_school
    return sa.and_(same_school, descendant_of(path_column, subtree.path))


def default_subtree(principal: Principal, permission: Permission) -> Subtree | None:
    """With no ``under`` given, a caller holding ``permission`` at one unit lists that unit's
    subtree: the same rows as the scope test alone, with a condition the planner can use."""
    bindings = principal.bindings_with(permission)
    return Subtree.of_binding(bindings[0]) if len(bindings) == 1 else None
