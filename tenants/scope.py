"""The choke point for tenant scoping in resolvers.

Every resolver query on a tenant table passes through :func:`within`, which restricts a path
column to the subtrees where the caller holds a permission. Row-level security enforces the
wider scope (every subtree the caller holds any role in) independently, so a query that forgot
this filter still cannot leave the caller's school.
"""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import ARRAY

from partyplan.auth.permissions import Permission
from partyplan.auth.principal import Principal
from partyplan.models.base import Ltree


def paths_param(paths: list[str]) -> sa.ColumnElement:
    return sa.cast(sa.cast(sa.literal(paths, ARRAY(sa.Text)), ARRAY(sa.Text)), ARRAY(Ltree))


def descendant_of_any(column: sa.ColumnElement, paths: list[str]) -> sa.ColumnElement[bool]:
    """``column <@ paths``: the column lies in the subtree of one of ``paths``."""
    if not paths:
        return sa.false()
    return column.op("<@", return_type=sa.Boolean)(paths_param(paths))


def descendant_of(column: sa.ColumnElement, path: str) -> sa.ColumnElement[bool]:
    return column.op("<@", return_type=sa.Boolean)(sa.cast(sa.literal(path), Ltree))


def within(
    column: sa.ColumnElement, principal: Principal, permission: Permission
) -> sa.ColumnElement[bool]:
    """Restrict ``column`` (a unit path) to where ``principal`` holds ``permission``."""
    return descendant_of_any(column, principal.paths_with(permission))
