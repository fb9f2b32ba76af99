"""Where a typed error's ``field`` points: a path into the mutation's input, resolved through the
GraphQL schema itself, so a test holds errors to the input types clients actually send.

A path is dotted from the mutation's ``input`` argument: input objects by their camelCase field
names, lists by 0-based index (``rows.3.idNumber``). Inside a JSON scalar (a step's ``data``, an
overlay document) a key resolves when the caller sent it, or when ``json_keys`` declares it for
that place (a required datum the caller left out); a list inside it resolves by index.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping, Sequence
from functools import cache
from typing import Any

from graphql import (
    GraphQLEnumType,
    GraphQLInputObjectType,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLScalarType,
    GraphQLSchema,
)

from partyplan.schema.schema import build_schema
from partyplan.server.settings import Settings

#: The keys a JSON value may hold at a place (the path up to it, as segments).
JsonKeys = Callable[[tuple[str, ...]], Collection[str]]


@cache
def graphql_schema() -> GraphQLSchema:
    return build_schema(Settings())._schema


def _unwrap(type_: Any) -> Any:
    return _unwrap(type_.of_type) if isinstance(type_, GraphQLNonNull) else type_


def _named(type_: Any) -> Any:
    while isinstance(type_, GraphQLNonNull | GraphQLList):
        type_ = type_.of_type
    return type_


def mutation_names() -> list[str]:
    mutation = graphql_schema().mutation_type
    assert mutation is not None
    return sorted(mutation.fields)


def input_type(mutation: str) -> GraphQLInputObjectType:
    root = graphql_schema().mutation_type
    assert root is not None
    type_ = _named(root.fields[mutation].args["input"].type)
    assert isinstance(type_, GraphQLInputObjectType), mutation
    return type_


def error_codes(mutation: str) -> frozenset[str]:
    """The codes the mutation's payload errors may carry: its error type's ``code`` enum."""
    root = graphql_schema().mutation_type
    assert root is not None
    payload = _named(root.fields[mutation].type)
    assert isinstance(payload, GraphQLObjectType), mutation
    error = _named(payload.fields["errors"].type)
    enum = _named(error.fields["code"].type)
    assert isinstance(enum, GraphQLEnumType), mutation
    return frozenset(enum.values)


def _no_keys(_: tuple[str, ...]) -> Collection[str]:
    return ()


def unresolved(
    mutation: str,
    path: str | None,
    sent: Mapping[str, Any] | None = None,
    json_keys: JsonKeys = _no_keys,
) -> str | None:
    """None when ``path`` names a place of ``mutation``'s input (as ``sent``, when given);
    otherwise why it does not."""
    if not path:
        return "no field named"
    type_: Any = input_type(mutation)
    value: Any = sent
    at: tuple[str, ...] = ()
    for segment in path.split("."):
        type_ = _unwrap(type_)
        if isinstance(type_, GraphQLInputObjectType):
            if segment not in type_.fields:
                return f"{type_.name} has no field {segment!r} ({path})"
            type_ = type_.fields[segment].type
            value = value.get(segment) if isinstance(value, Mapping) else None
        elif isinstance(type_, GraphQLList):
            if not segment.isdigit():
                return f"{'.'.join(at)} is a list: {segment!r} is no index ({path})"
            if isinstance(value, Sequence) and int(segment) >= len(value):
                return f"{'.'.join(at)} has {len(value)} items: no {segment} ({path})"
            type_ = type_.of_type
            value = value[int(segment)] if isinstance(value, Sequence) else None
        elif isinstance(type_, GraphQLScalarType) and type_.name == "JSON":
            if isinstance(value, list) and segment.isdigit() and int(segment) < len(value):
                value = value[int(segment)]
            elif isinstance(value, Mapping) and segment in value:
                value = value[segment]
            elif segment in json_keys(at):
                value = None
            else:
                return f"{'.'.join(at)} holds no {segment!r} ({path})"
        else:
            return f"{'.'.join(at)} is a {type_}: nothing inside it ({path})"
        at = (*at, segment)
    return None
