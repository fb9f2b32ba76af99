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

from .shaped import param

#: A list of paths, or a parameter of a statement built once per shape that stands for one.
Paths = list[str] | sa.BindParameter[Any]


def paths_param(paths: Paths) -> sa.ColumnElement:
    value = paths if isinstance(paths, sa.BindParameter) else sa.literal(paths, ARRAY(sa.Text))
    return sa.cast(sa.cast(value, ARRAY(sa.Text)), ARRAY(Ltree))


def descendant_of_any(column: sa.ColumnElement, paths: Paths) -> sa.ColumnElement[bool]:
    """``column <@@ paths``: the column lies in the subtree of one of ``paths`` (a scope test).
    A parameter stands for a non-empty list: no paths select nothing, which is a shape of its
    own (``false``)."""
    if isinstance(paths, list) and not paths:
        return sa.false()
    return column.op("<@@", return_type=sa.Boolean)(paths_param(paths))


def descendant_of(
    column: sa.ColumnElement, path: str | sa.BindParameter[Any]
) -> sa.ColumnElement[bool]:
    value = path if isinstance(path, sa.BindParameter) else sa.literal(path)
    return column.op("<@", return_type=sa.Boolean)(sa.cast(value, Ltree))


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


@dataclass(frozen=True, slots=True)
class ScopeShape:
    """What decides a list's scope test, for a statement built once per shape
    (``tenants/shaped.py``): whether the caller holds any path (none selects nothing), and how
    :func:`in_subtree` narrows to ``under`` (by ``school``, ``school_path`` or ``path``; None
    without one)."""

    scoped: bool
    under: str | None

    @classmethod
    def of(cls, read_paths: list[str], under: Subtree | None, values: dict[str, Any]) -> ScopeShape:
        """The shape of a list within ``read_paths`` narrowed to ``under``; the values of
        :meth:`condition`'s parameters are put in ``values``."""
        if read_paths:
            values["p_read_paths"] = read_paths
        if under is None:
            return cls(bool(read_paths), None)
        values["p_under_path"] = under.path
        if under.school_id is None:
            return cls(bool(read_paths), "path")
        values["p_under_school"] = under.school_id
        return cls(bool(read_paths), "school" if under.whole_school else "school_path")

    def condition(
        self, path_column: sa.ColumnElement, school_column: sa.ColumnElement
    ) -> sa.ColumnElement[bool]:
        """The scope test of this shape, its paths and subtree as parameters."""
        read_paths = param("read_paths", ARRAY(sa.Text)) if self.scoped else []
        test = descendant_of_any(path_column, read_paths)
        if self.under is None:
            return test
        school = None if self.under == "path" else param("under_school", sa.BigInteger)
        under = Subtree(param("under_path", sa.Text), school, self.under == "school")  # type: ignore[arg-type]
        return sa.and_(test, in_subtree(path_column, school_column, under))


def default_subtree(principal: Principal, permission: Permission) -> Subtree | None:
    """With no ``under`` given, a caller holding ``permission`` at one unit lists that unit's
    subtree: the same rows as the scope test alone, with a condition the planner can use."""
    bindings = principal.bindings_with(permission)
    return Subtree.of_binding(bindings[0]) if len(bindings) == 1 else None
