"""How the fields of an object type read from the row a compiled statement holds, and the JSON
object a selection of them makes (``resolvers/jsonsql.py`` writes each value as the ordinary
executor serializes it).

A row is read through :data:`Columns` (a column by name), so that one map serves a table's own
row and the same columns joined into another row under a prefix (a recruit's branch). A field
missing from the map is not compiled: the document runs through the ordinary executor."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from enum import Enum

import sqlalchemy as sa
from graphql import GraphQLObjectType, GraphQLScalarType, get_nullable_type
from sqlalchemy.dialects.postgresql import asyncpg

from partyplan.resolvers.jsonsql import (
    JsonText,
    JsonValue,
    as_json,
    enum_name,
    global_id,
    json_name,
    json_object,
)

from .selection import NotCompiled, Selected

Columns = Callable[[str], sa.ColumnElement]
Leaf = Callable[[Columns], sa.ColumnElement]
#: A nested list: from the row, and the JSON of one element (from the element's row), the array.
ListOf = Callable[[Columns, Callable[[Columns], sa.ColumnElement]], sa.ColumnElement]


def column(name: str) -> Leaf:
    return lambda columns: columns(name)


def enum(name: str, values: type[Enum]) -> Leaf:
    """A stored enum value (``strawberry.enum_value("activist")``) as its GraphQL name."""
    names = {member.value: member.name for member in values}
    return lambda columns: enum_name(columns(name), names)


def node_id(type_name: str, name: str = "id") -> Leaf:
    return lambda columns: global_id(type_name, columns(name))


# The driver's own dialect: its placeholders are $n, so a % is written as it is.
_DIALECT = asyncpg.dialect()


class Precompiled:
    """A JSON expression over the columns of the CTE named ``source``, compiled to SQL text once
    (when the document is compiled) instead of built again for every request: building a
    statement of a few hundred SQLAlchemy elements costs milliseconds of Python, the text
    nothing. Every value in it is a literal of the document (names, enum tables, formats)."""

    def __init__(self, build: Callable[[Columns], sa.ColumnElement], source: str) -> None:
        if not source.isidentifier():
            raise ValueError(f"not a CTE name: {source!r}")
        expression = build(lambda name: sa.literal_column(f'{source}."{name}"'))
        compiled = expression.compile(dialect=_DIALECT, compile_kwargs={"literal_binds": True})
        self.text = str(compiled)

    def expression(self) -> sa.ColumnElement:
        return sa.literal_column(f"({self.text})", JsonValue)


def same_row(columns: Columns) -> Columns:
    """An object whose fields are columns of the row that holds it."""
    return columns


def prefixed(prefix: str) -> Callable[[Columns], Columns]:
    """The columns of an object joined into the row under ``prefix``."""
    return lambda columns: lambda name: columns(prefix + name)


@dataclass(frozen=True)
class ObjectSql:
    """One GraphQL object type: its leaf fields, the objects read from the same row, and the
    lists read by a subquery, each by GraphQL field name."""

    type_name: str
    leaves: Mapping[str, Leaf]
    objects: Mapping[str, tuple[ObjectSql, Callable[[Columns], Columns]]] = field(
        default_factory=dict
    )
    lists: Mapping[str, tuple[ObjectSql, ListOf]] = field(default_factory=dict)
    #: For a nullable object among ``objects``: when it is there (null otherwise).
    present: Mapping[str, Callable[[Columns], sa.ColumnElement[bool]]] = field(default_factory=dict)

    def check(self, selected: list[Selected]) -> None:
        """Refuse (:class:`NotCompiled`) a selection this map cannot answer whole."""
        for child in selected:
            if child.name == "__typename" or child.name in self.leaves:
                if child.children:
                    raise NotCompiled(f"{self.type_name}.{child.name} has a selection")
            elif child.name in self.objects:
                self.objects[child.name][0].check(child.children)
            elif child.name in self.lists:
                self.lists[child.name][0].check(child.children)
            else:
                raise NotCompiled(f"{self.type_name}.{child.name} is not compiled")

    def build(self, selected: list[Selected], columns: Columns) -> sa.ColumnElement:
        """The JSON object of ``selected`` (checked) from the row's ``columns``."""
        pairs: list[tuple[str, sa.ColumnElement]] = []
        for child in selected:
            if child.name == "__typename":
                pairs.append((child.key, json_name(self.type_name)))
            elif child.name in self.leaves:
                value = self.leaves[child.name](columns)
                pairs.append((child.key, as_json(value, scalar_of(child.parent, child.name))))
            elif child.name in self.objects:
                inner, narrow = self.objects[child.name]
                value = inner.build(child.children, narrow(columns))
                if child.name in self.present:
                    there = self.present[child.name](columns)
                    value = sa.type_coerce(sa.case((there, value), else_=sa.null()), JsonText)
                pairs.append((child.key, value))
            else:
                inner, listed = self.lists[child.name]
                element = _element(inner, child.children)
                pairs.append((child.key, listed(columns, element)))
        return json_object(pairs)


def scalar_of(parent: GraphQLObjectType, name: str) -> str | None:
    """The name of the GraphQL scalar the field returns (None for an enum, an object)."""
    kind = get_nullable_type(parent.fields[name].type)
    return kind.name if isinstance(kind, GraphQLScalarType) else None


def _element(inner: ObjectSql, selected: list[Selected]) -> Callable[[Columns], sa.ColumnElement]:
    return lambda columns: inner.build(selected, columns)
