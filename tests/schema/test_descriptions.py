"""Every type, field, argument and enum value of the published schema is described for front
ends: the official Chinese term first, then English; and no description leaks how the server is
built (front ends read these in GraphiQL and in ``schema.graphql``)."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from graphql import (
    GraphQLEnumType,
    GraphQLInputObjectType,
    GraphQLInterfaceType,
    GraphQLObjectType,
    GraphQLScalarType,
    GraphQLSchema,
)

from partyplan.schema.schema import build_schema
from partyplan.server.settings import Settings

#: The GraphQL spec's scalars: described by the spec, in English.
SPEC_SCALARS = frozenset({"String", "Int", "Float", "Boolean", "ID"})

#: Strawberry's relay types, described in English and not restated Chinese first:
#: - ``Node`` and its ``id`` (so every node type's ``id``, see :func:`english_built_in`): the
#:   interface every node type inherits from ``relay.Node``, whose ``id`` is a resolver of its
#:   own; restating it would mean a base class of ours under every node type of every domain.
#: They must still be described (strawberry describes them); only the Chinese-first rule
#: is waived.
ENGLISH_BUILT_INS = frozenset(
    {
        "Node",
        "Node.id",
    }
)

#: Words that belong to the implementation, not to the contract.
IMPLEMENTATION = re.compile(
    r"\bSQL\b|\bstatements?\b|\bloaders?\b|\bkeyset\b|\bresolvers?\b|\.py\b", re.IGNORECASE
)

# CJK ideographs (unified, extension A, compatibility) and CJK punctuation (《》「」（）).
_CJK = "\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff08\uff09"
#: A Chinese term first: optionally after one leading name in backticks (`Recruit`), a number
#: (12371, a step's "3." or "—." for none) or an acronym (JSON, OAuth2), and a space; an
#: English word first ("The 支部大会 …") is not Chinese first.
CHINESE_FIRST = re.compile(
    rf"^(?:`[^`\n]+`|[0-9—][0-9A-Za-z.\-—]*|[A-Z][A-Z0-9]+|[A-Za-z]+[0-9][A-Za-z0-9]*)?"
    rf"\s?[{_CJK}]"
)


@pytest.fixture(scope="module")
def schema() -> GraphQLSchema:
    return build_schema(Settings())._schema


def english_built_in(schema: GraphQLSchema, path: str) -> bool:
    """Whether ``path`` is one of :data:`ENGLISH_BUILT_INS`, or the ``id`` a node type
    inherits from ``Node``."""
    if path in ENGLISH_BUILT_INS:
        return True
    type_name, _, field_name = path.partition(".")
    type_ = schema.type_map.get(type_name)
    return (
        field_name == "id"
        and isinstance(type_, GraphQLObjectType)
        and any(i.name == "Node" for i in type_.interfaces)
    )


def described_things(schema: GraphQLSchema) -> Iterator[tuple[str, str | None]]:
    """(path, description) of every type of ours, and of its fields, input fields, arguments
    and enum values."""
    for name, type_ in sorted(schema.type_map.items()):
        if name.startswith("__") or name in SPEC_SCALARS:
            continue
        yield name, type_.description
        if isinstance(type_, (GraphQLObjectType, GraphQLInterfaceType)):
            for field_name, field in type_.fields.items():
                yield f"{name}.{field_name}", field.description
                for arg_name, arg in field.args.items():
                    yield f"{name}.{field_name}({arg_name})", arg.description
        elif isinstance(type_, GraphQLInputObjectType):
            for field_name, field in type_.fields.items():
                yield f"{name}.{field_name}", field.description
        elif isinstance(type_, GraphQLEnumType):
            for value_name, value in type_.values.items():
                yield f"{name}.{value_name}", value.description
        else:
            assert isinstance(type_, GraphQLScalarType), f"{name}: a kind of type not checked"


def test_the_walk_covers_every_kind_of_thing(schema: GraphQLSchema) -> None:
    # Not vacuous: the walk reaches types, fields, input fields, arguments and enum values.
    paths = dict(described_things(schema))
    for path in (
        "Query",
        "Warning.kind",
        "ReportInput.periodId",
        "Query.warnings(kind)",
        "Rollup.years(last)",
        "WarningKind.SLOW_PROGRESS",
        "ReportErrorCode.NOT_SUBMITTED",
        "Date",
        "WarningConnection.edges",
        "WarningEdge.cursor",
    ):
        assert path in paths, path


def test_everything_is_described(schema: GraphQLSchema) -> None:
    missing = [path for path, text in described_things(schema) if not (text or "").strip()]
    assert not missing, f"{len(missing)} without a description: {missing}"


def test_descriptions_begin_with_the_chinese_term(schema: GraphQLSchema) -> None:
    english = [
        f"{path}: {text[:40]!r}"
        for path, text in described_things(schema)
        if text and not english_built_in(schema, path) and not CHINESE_FIRST.match(text)
    ]
    assert not english, f"{len(english)} not Chinese first: {english}"


def test_no_description_names_the_implementation(schema: GraphQLSchema) -> None:
    leaks = [
        f"{path}: {IMPLEMENTATION.search(text).group()!r}"  # type: ignore[union-attr]
        for path, text in described_things(schema)
        if text and IMPLEMENTATION.search(text)
    ]
    assert not leaks, f"{len(leaks)} describe the implementation: {leaks}"


def test_english_built_ins_are_still_there_and_described(schema: GraphQLSchema) -> None:
    # The exceptions name real things: one that disappears (say, Node.id restated Chinese
    # first) is taken off the list, not left to waive nothing.
    paths = dict(described_things(schema))
    for path in ENGLISH_BUILT_INS:
        assert paths.get(path), path
        assert not CHINESE_FIRST.match(paths[path]), f"{path} is Chinese first now: unlist it"


@pytest.mark.parametrize(
    ("text", "chinese"),
    [
        ("发展对象：确定为发展对象的日期。The date …", True),
        ("`Recruit` 发展对象", True),
        ("12371 数据采集表", True),
        ("OAuth2 客户端", True),
        ("《中国共产党发展党员工作细则》的条款", True),
        ("3. 确定入党积极分子", True),
        ("—. 延长预备期", True),
        ("JSON 数据：any JSON value", True),
        ("The date the branch committee designated …", False),
        ("A connection to a list of items.", False),
        ("", False),
        ("Mutations. 变更", False),
        ("The 支部大会 date", False),
    ],
)
def test_chinese_first_rule(text: str, chinese: bool) -> None:
    assert bool(CHINESE_FIRST.match(text)) is chinese


@pytest.mark.parametrize(
    ("text", "leaks"),
    [
        ("Read from tallies: two statements whatever the tree.", True),
        ("one batched load (loader)", True),
        ("keyset on id", True),
        ("see schema/rollups/types.py", True),
        ("raw SQL", True),
        ("预警：warnings, newest first.", False),
        ("PostgreSQL-free words such as statistical year", False),
    ],
)
def test_implementation_words(text: str, leaks: bool) -> None:
    assert bool(IMPLEMENTATION.search(text)) is leaks


def deprecated_things(schema: GraphQLSchema) -> Iterator[tuple[str, str, set[str]]]:
    """(path, reason, the names beside it) of every deprecated field, input field, argument
    and enum value of ours."""
    for name, type_ in sorted(schema.type_map.items()):
        if name.startswith("__"):
            continue
        if isinstance(type_, (GraphQLObjectType, GraphQLInterfaceType, GraphQLInputObjectType)):
            for field_name, field in type_.fields.items():
                if field.deprecation_reason is not None:
                    yield f"{name}.{field_name}", field.deprecation_reason, set(type_.fields)
                for arg_name, arg in getattr(field, "args", {}).items():
                    if arg.deprecation_reason is not None:
                        path = f"{name}.{field_name}({arg_name})"
                        yield path, arg.deprecation_reason, set(field.args)
        elif isinstance(type_, GraphQLEnumType):
            for value_name, value in type_.values.items():
                if value.deprecation_reason is not None:
                    yield f"{name}.{value_name}", value.deprecation_reason, set(type_.values)


def test_a_deprecation_names_its_replacement(schema: GraphQLSchema) -> None:
    # A deprecated item stays (tests/schema/test_schema_file.py); its reason, Chinese first,
    # names in backticks the item beside it that replaces it.
    things = list(deprecated_things(schema))
    assert any(path == "StructuralTargetInput.minSharePercent" for path, _, _ in things)
    unexplained = [
        path
        for path, reason, beside in things
        if not CHINESE_FIRST.match(reason)
        or not set(re.findall(r"`([^`]+)`", reason)) & (beside - {path.rsplit(".", 1)[-1]})
    ]
    assert not unexplained, (
        f"deprecated without a Chinese reason naming the replacement: {unexplained}"
    )
