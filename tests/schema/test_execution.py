"""The plain-field executor answers exactly what graphql-core's per-field execution answers —
data, errors and their paths — while reading plain fields without executing them one by one."""

from __future__ import annotations

from datetime import date
from enum import Enum
from typing import Any

import pytest
import strawberry
from strawberry import relay
from strawberry.extensions import FieldExtension, SchemaExtension
from strawberry.permission import BasePermission

from partyplan.schema.execution import PlainFieldExecutor, prefetched


@strawberry.enum
class Colour(Enum):
    RED = "red"
    BLUE = "blue"


@strawberry.type
class Leaf:
    n: int
    day: date | None
    colour: Colour


@strawberry.type
class Thing(relay.Node):
    id: relay.NodeID[int]
    name: str
    leaves: list[Leaf]
    best: Leaf | None
    must: str  # set to None on purpose: a null in a non-null position
    tags: list[str]
    # Set for the first thing only, as a list's statement would for its page.
    fetched: strawberry.Private[Leaf | None] = None

    @strawberry.field(metadata=prefetched("fetched"))
    def favourite(self) -> Leaf:
        return self.fetched if self.fetched is not None else self.leaves[2]

    @strawberry.field
    def shout(self) -> str:
        return self.name.upper()

    @strawberry.field
    async def later(self) -> Leaf:
        return self.leaves[0]

    @strawberry.field
    def broken(self) -> int:
        raise ValueError("broken on purpose")


def _things() -> list[Thing]:
    leaves = [
        Leaf(
            n=i,
            day=date(2024, 1, i + 1) if i % 2 else None,
            colour=Colour.BLUE if i == 1 else Colour.RED,
        )
        for i in range(3)
    ]
    good = Thing(
        id=1, name="a", leaves=leaves, best=leaves[1], must="x", tags=["p", "q"], fetched=leaves[0]
    )
    # A raw value of the enum ("blue", not Colour.BLUE) is still coerced by its value.
    bad = Thing(
        id=2,
        name="b",
        leaves=leaves,
        best=Leaf(n=1, day=None, colour="blue"),  # type: ignore[arg-type]
        must=None,
        tags=[],
    )  # type: ignore[arg-type]
    odd = Thing(
        id=3,
        name="c",
        leaves=leaves,
        best=Leaf(n=2**40, day=None, colour="green"),  # type: ignore[arg-type]
        must="y",
        tags=["r"],
    )
    return [good, bad, odd]


class Deny(BasePermission):
    message = "denied on purpose"

    def has_permission(self, source: Any, info: strawberry.Info, **kwargs: Any) -> bool:
        return False


class Shout(FieldExtension):
    def resolve(self, next_: Any, source: Any, info: strawberry.Info, **kwargs: Any) -> Any:
        return next_(source, info, **kwargs).upper()


@strawberry.type
class Guarded:
    """Fields with no resolver of their own but a check or an extension: not plain."""

    name: str
    secret: str | None = strawberry.field(permission_classes=[Deny])
    loud: str = strawberry.field(extensions=[Shout()])


@strawberry.type
class Query:
    @strawberry.field
    def things(self) -> list[Thing]:
        return _things()

    @strawberry.field
    def guarded(self) -> list[Guarded]:
        return [Guarded(name="g", secret="s3cret", loud="quiet")]

    @strawberry.field
    def good(self) -> Thing:
        return _things()[0]


DOCUMENTS = [
    "{ good { id name __typename tags leaves { n day colour } best { n colour } } }",
    "{ good { id alias: name shout later { n } leaves { n } } }",
    "{ things { id name must } }",  # the second thing's null must errors at its path
    "{ things { best { colour } } }",  # the second's is a raw value, the third's not a Colour
    "{ things { best { n } } }",  # the third's n is past 32 bits
    "{ things { name broken } }",
    "{ good { ... on Thing { name leaves { ...L } } } } fragment L on Leaf { n day }",
    "{ good { name @skip(if: true) leaves @include(if: true) { n } } }",
    "{ things { id favourite { n colour } } }",  # prefetched on the first thing only
    "{ guarded { name secret loud } }",  # a permission check and a field extension
]


async def _run(document: str, executor: type | None, extensions: list | None = None) -> Any:
    schema = strawberry.Schema(
        query=Query, types=[Thing], execution_context_class=executor, extensions=extensions or []
    )
    result = await schema.execute(document)
    errors = sorted((e.message, tuple(e.path or ())) for e in result.errors or [])
    return result.data, errors


@pytest.mark.parametrize("document", DOCUMENTS)
async def test_same_answer_as_per_field_execution(document: str) -> None:
    assert await _run(document, PlainFieldExecutor) == await _run(document, None)


async def test_plain_fields_are_not_executed_one_by_one(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    calls: list[str] = []
    original = PlainFieldExecutor.execute_field

    def counting(self, parent_type, source, field_details_list, path, position_context):  # type: ignore[no-untyped-def]
        calls.append(f"{parent_type.name}.{field_details_list[0].node.name.value}")
        return original(self, parent_type, source, field_details_list, path, position_context)

    monkeypatch.setattr(PlainFieldExecutor, "execute_field", counting)
    data, errors = await _run(
        "{ good { id name shout leaves { n day colour } } }", PlainFieldExecutor
    )
    assert errors == [] and data["good"]["leaves"][1]["day"] == "2024-01-02"
    assert calls == ["Query.good", "Thing.shout"]  # the root field and the one resolver


async def test_enum_members_and_node_ids_complete_without_strawberrys_serializers(
    monkeypatch,  # type: ignore[no-untyped-def]
) -> None:
    """A member completes by a lookup built from strawberry's own comparison, a node id is
    encoded as ``str(GlobalID)`` would be; a raw value still goes through the coercion."""
    from strawberry.relay import GlobalID
    from strawberry.schema.schema_converter import CustomGraphQLEnumType

    coerced: list[Any] = []
    original = CustomGraphQLEnumType.coerce_output_value

    def counting(self, value):  # type: ignore[no-untyped-def]
        coerced.append(value)
        return original(self, value)

    monkeypatch.setattr(CustomGraphQLEnumType, "coerce_output_value", counting)
    data, _ = await _run("{ things { id leaves { colour } best { colour } } }", PlainFieldExecutor)
    assert [leaf["colour"] for leaf in data["things"][0]["leaves"]] == ["RED", "BLUE", "RED"]
    assert [t["best"] and t["best"]["colour"] for t in data["things"]] == ["BLUE", "BLUE", None]
    assert [t["id"] for t in data["things"]] == [str(GlobalID("Thing", str(n))) for n in (1, 2, 3)]
    # Only the raw value and the value that is not a Colour (again, when its field falls back
    # to per-field execution) reach the coercion; no member does.
    assert set(coerced) == {"blue", "green"}


async def test_a_resolve_hook_turns_the_direct_reads_off(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    seen: list[str] = []

    class Tracing(SchemaExtension):
        def resolve(self, _next, root, info, *args, **kwargs):  # type: ignore[no-untyped-def]
            seen.append(info.field_name)
            return _next(root, info, *args, **kwargs)

    document = "{ good { name leaves { n } } }"
    plain = await _run(document, PlainFieldExecutor, [Tracing])
    traced_plain = list(seen)
    seen.clear()
    assert plain == await _run(document, None, [Tracing])
    assert traced_plain == seen == ["good", "name", "leaves", "n", "n", "n"]


async def test_a_prefetched_value_is_read_and_its_absence_runs_the_resolver(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    calls: list[str] = []
    original = PlainFieldExecutor.execute_field

    def counting(self, parent_type, source, field_details_list, path, position_context):  # type: ignore[no-untyped-def]
        calls.append(
            f"{parent_type.name}.{field_details_list[0].node.name.value}:{getattr(source, 'id', '')}"
        )
        return original(self, parent_type, source, field_details_list, path, position_context)

    monkeypatch.setattr(PlainFieldExecutor, "execute_field", counting)
    data, errors = await _run("{ things { id favourite { n } } }", PlainFieldExecutor)
    assert errors == [] and [t["favourite"]["n"] for t in data["things"]] == [0, 2, 2]
    assert calls[1:] == ["Thing.favourite:2", "Thing.favourite:3"]


async def test_a_permission_check_or_a_field_extension_runs_under_the_executor() -> None:
    """A field without a resolver of its own but with ``permission_classes`` or an extension
    is not plain: its check runs (a denied field is null, with its error), and so does its
    extension, as under graphql-core's per-field execution."""
    data, errors = await _run("{ guarded { name secret loud } }", PlainFieldExecutor)
    assert data == {"guarded": [{"name": "g", "secret": None, "loud": "QUIET"}]}
    assert errors == [("denied on purpose", ("guarded", 0, "secret"))]
