"""Plain fields completed without per-field execution.

graphql-core resolves every field on its own: a resolve-info object, a path, the resolver call
through strawberry's wrapper, an awaitable check and value completion, ~4–5 µs a field
(STACK-NOTES.md). A province roll-up of 150 lines asks for ~2,900 fields, so that machinery,
not the SQL, was most of its time. Most of those fields are *plain*: strawberry's default
resolver reading an attribute of an object the resolver above already built from one SQL
statement ("Reads are cheap", DESIGN.md).

:class:`PlainFieldExecutor` reads a plain field's value directly and completes it in one pass:

* plain = a field without arguments, permission classes or field extensions (its check would
  never run) that is strawberry's basic field (``is_basic_field``: no resolver of its own; its
  ``_is_default`` mark is not enough, strawberry sets it on guarded fields too); a relay
  node's ``id`` when the type keeps relay's own ``resolve_id`` and ``resolve_typename``;
  ``__typename``; a field declared with ``metadata=prefetched("attr")`` whose object holds a
  value in ``attr`` (a list's statement fetched it for the whole page; the resolver runs only
  when it is None). Decided once per (type, field), not per value;
* leaves are coerced by their type exactly as graphql-core does; lists are completed item by
  item; an object value is completed in the same pass when every field selected on it is
  plain (no ``@defer`` on it), and otherwise left to graphql-core;
* under a schema extension that wraps resolvers (a middleware), nothing is read directly.

Every other field of the same object goes through graphql-core's own ``execute_field``, and so
does a plain field whose direct completion fails — a null in a non-null position, a value its
type refuses, an attribute that raises — which then reports the error with its path as it
always did. Only attribute reads have happened by then, so nothing runs twice that could tell.
The response is the same either way; the whole suite runs through this executor.
"""

from __future__ import annotations

import base64
import operator
from collections.abc import Callable
from typing import Any

from graphql import (
    GraphQLBoolean,
    GraphQLID,
    GraphQLInt,
    GraphQLLeafType,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLOutputType,
    GraphQLString,
    Undefined,
)
from graphql.pyutils import Path, gather_with_cancel
from strawberry import relay
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext
from strawberry.schema.schema_converter import CustomGraphQLEnumType

_TYPENAME = "__typename"
_PREFETCHED = "partyplan.prefetched"
Reader = Callable[[Any], Any]


def prefetched(attribute: str) -> dict[str, str]:
    """Field metadata: when ``attribute`` of the object is not None, it *is* the field's value,
    read as a plain field; the field's resolver must return it too, and load the value itself
    only when it is None. For values a list fetched for its whole page in one statement.

    >>> prefetched("branch_unit")
    {'partyplan.prefetched': 'branch_unit'}
    """
    return {_PREFETCHED: attribute}


class _NotPlain(Exception):
    """This value needs graphql-core's per-field execution."""


_MAX_INT, _MIN_INT = 2**31 - 1, -(2**31)
# The built-in scalars return a value of exactly their Python type unchanged (an Int within 32
# bits): no call into graphql-core's serializer for ~2,900 values a roll-up.
_UNCHANGED: dict[GraphQLOutputType, type] = {
    GraphQLInt: int,
    GraphQLString: str,
    GraphQLBoolean: bool,
    GraphQLID: str,
}
# How to complete a value of a type, built once per type: the type dispatch below runs once per
# type, not once per value (~1,400 values in a page of 50 recruits).
Completer = Callable[["PlainFieldExecutor", Any, Any], Any]
_COMPLETERS: dict[GraphQLOutputType, Completer] = {}
# (object type, field name) -> how to read a plain field and complete its value, or None. Keyed
# by the type objects (hashed by identity), so each schema decides its fields' plainness once.
_PLAIN: dict[tuple[GraphQLObjectType, str], tuple[Reader, Completer] | None] = {}


def _node_id_reader(parent_type: GraphQLObjectType, origin: type) -> Reader | None:
    if (
        getattr(origin.resolve_id, "__func__", None) is not relay.Node.resolve_id.__func__
        or getattr(origin.resolve_typename, "__func__", None)
        is not relay.Node.resolve_typename.__func__
    ):
        return None
    attribute, type_name = origin.resolve_id_attr(), parent_type.name

    def read(source: Any) -> str:
        if not isinstance(source, origin):
            raise _NotPlain
        # str(relay.GlobalID(type_name, node_id)), without building the GlobalID (100 a page)
        node_id = getattr(source, attribute)
        return base64.b64encode(f"{type_name}:{node_id}".encode()).decode()

    return read


def _prefetched_reader(attribute: str) -> Reader:
    get = operator.attrgetter(attribute)

    def read(source: Any) -> Any:
        value = get(source)
        if value is None:
            raise _NotPlain
        return value

    return read


def _reader(parent_type: GraphQLObjectType, field_name: str) -> Reader | None:
    field_def = parent_type.fields.get(field_name)
    if field_def is None or field_def.args:
        return None
    strawberry_field = field_def.extensions.get("strawberry-definition")
    if strawberry_field is not None and (
        strawberry_field.extensions or strawberry_field.permission_classes
    ):
        # A check or an extension must run on every read: strawberry marks the resolver of such
        # a field ``_is_default`` all the same when the field has no resolver of its own.
        return None
    definition = parent_type.extensions.get("strawberry-definition")
    origin = getattr(definition, "origin", None)
    if strawberry_field is not None and strawberry_field.is_basic_field:
        return operator.attrgetter(strawberry_field.python_name)
    if field_name == "id" and isinstance(origin, type) and issubclass(origin, relay.Node):
        return _node_id_reader(parent_type, origin)
    if strawberry_field is not None and _PREFETCHED in strawberry_field.metadata:
        return _prefetched_reader(strawberry_field.metadata[_PREFETCHED])
    return None


def _plain(parent_type: GraphQLObjectType, field_name: str) -> tuple[Reader, Completer] | None:
    key = (parent_type, field_name)
    try:
        return _PLAIN[key]
    except KeyError:
        pass
    if field_name == _TYPENAME:
        plain: tuple[Reader, Completer] | None = (_constant(parent_type.name), _as_is)
    else:
        reader = _reader(parent_type, field_name)
        plain = (
            None if reader is None else (reader, _completer(parent_type.fields[field_name].type))
        )
    _PLAIN[key] = plain
    return plain


def _completer(return_type: GraphQLOutputType) -> Completer:
    try:
        return _COMPLETERS[return_type]
    except KeyError:
        completer = _COMPLETERS[return_type] = _build_completer(return_type)
        return completer


def _build_completer(return_type: GraphQLOutputType) -> Completer:  # noqa: C901 - one per kind
    if isinstance(return_type, GraphQLNonNull):
        inner = _completer(return_type.of_type)

        def non_null(ctx: PlainFieldExecutor, details: Any, value: Any) -> Any:
            if value is None:
                raise _NotPlain
            return inner(ctx, details, value)

        exact = _UNCHANGED.get(return_type.of_type)
        # A non-null built-in scalar: one call a value, the None check only off the fast path.
        return non_null if exact is None else _unchanged(exact, non_null)
    if isinstance(return_type, GraphQLLeafType):
        coerce = return_type.coerce_output_value

        def leaf(ctx: PlainFieldExecutor, details: Any, value: Any) -> Any:
            if value is None:
                return None
            try:
                coerced = coerce(value)
            except Exception as error:
                raise _NotPlain from error
            if coerced is Undefined or coerced is None:
                raise _NotPlain
            return coerced

        if isinstance(return_type, CustomGraphQLEnumType):
            return _enum_completer(return_type, leaf)
        exact = _UNCHANGED.get(return_type)
        return leaf if exact is None else _unchanged(exact, leaf)
    if isinstance(return_type, GraphQLList):
        item = _completer(return_type.of_type)

        def listing(ctx: PlainFieldExecutor, details: Any, value: Any) -> Any:
            if value is None:
                return None
            if isinstance(value, str | bytes | dict) or not hasattr(value, "__iter__"):
                raise _NotPlain
            return [item(ctx, details, one) for one in value]

        return listing
    if isinstance(return_type, GraphQLObjectType):
        object_type, is_type_of = return_type, return_type.is_type_of

        def obj(ctx: PlainFieldExecutor, details: Any, value: Any) -> Any:
            if value is None:
                return None
            if is_type_of is not None and not is_type_of(value, None):
                raise _NotPlain
            plan = ctx._plan(object_type, ctx.collect_subfields(object_type, details))
            try:
                return {
                    name: complete(ctx, field_details, read(value))
                    for name, field_details, read, complete in plan
                }
            except _NotPlain:
                raise
            except Exception as error:  # a reader's: reported by the per-field path
                raise _NotPlain from error

        return obj

    def other(ctx: PlainFieldExecutor, details: Any, value: Any) -> Any:
        if value is None:
            return None
        raise _NotPlain  # interfaces and unions: their runtime type is resolved per field

    return other


def _unchanged(python_type: type, otherwise: Completer) -> Completer:
    """A value of exactly ``python_type`` (an int within 32 bits) as it is; anything else (None
    included) through ``otherwise``."""
    if python_type is int:

        def unchanged_int(ctx: PlainFieldExecutor, details: Any, value: Any) -> Any:
            if type(value) is int and _MIN_INT <= value <= _MAX_INT:
                return value
            return otherwise(ctx, details, value)

        return unchanged_int

    def unchanged(ctx: PlainFieldExecutor, details: Any, value: Any) -> Any:
        if type(value) is python_type:
            return value
        return otherwise(ctx, details, value)

    return unchanged


def _enum_completer(enum_type: CustomGraphQLEnumType, leaf: Completer) -> Completer:
    """A member of the enum's Python class completes to its GraphQL name by one dict lookup.

    Strawberry's ``coerce_output_value`` finds the name by comparing the member's value with
    every value of the type in turn (~430 enum property reads a page of 50 recruits); the map
    is built from the same comparison, so it gives the name strawberry would. Anything that is
    not exactly a member (a raw value, a subclass) goes through strawberry's coercion.
    """
    members = enum_type.wrapped_cls
    names: dict[Any, str] = {}
    for member in members:
        for name, value in enum_type.values.items():
            if member.value == value.value:
                names[member] = name
                break

    def enum(ctx: PlainFieldExecutor, details: Any, value: Any) -> Any:
        if type(value) is members:
            name = names.get(value)
            if name is not None:
                return name
        return leaf(ctx, details, value)

    return enum


# (response name, field details, reader, completer): one field of a selection read directly.
PlanStep = tuple[str, Any, Reader, Completer]


def _constant(value: Any) -> Reader:
    return lambda _source: value


def _as_is(ctx: PlainFieldExecutor, details: Any, value: Any) -> Any:
    return value


class PlainFieldExecutor(StrawberryGraphQLCoreExecutionContext):
    def execute_fields(  # type: ignore[override]
        self,
        parent_type: GraphQLObjectType,
        source_value: Any,
        path: Any,
        grouped_field_set: Any,
        position_context: Any,
    ) -> Any:
        manager = self.middleware_manager  # strawberry passes one, empty without resolve hooks
        if path is None or (manager is not None and manager.middlewares):
            return super().execute_fields(
                parent_type, source_value, path, grouped_field_set, position_context
            )
        results: dict[str, Any] = {}
        awaitable_fields: list[str] = []
        try:
            for response_name, field_details_list in grouped_field_set.items():
                try:
                    results[response_name] = self._plain_field(
                        parent_type, source_value, field_details_list
                    )
                    continue
                except _NotPlain:
                    pass
                result = self.execute_field(
                    parent_type,
                    source_value,
                    field_details_list,
                    Path(path, response_name, parent_type.name),
                    position_context,
                )
                if result is not Undefined:
                    results[response_name] = result
                    if self.is_awaitable(result):
                        awaitable_fields.append(response_name)
        except Exception:
            if awaitable_fields:
                self.settle_in_background([results[f] for f in awaitable_fields])
            raise
        if not awaitable_fields:
            return results

        async def get_results() -> dict[str, Any]:
            values = await gather_with_cancel(*(results[f] for f in awaitable_fields))
            results.update(zip(awaitable_fields, values, strict=True))
            return results

        return get_results()

    def _plan(self, object_type: GraphQLObjectType, collected: Any) -> list[PlanStep]:
        """How to read and complete every field of one selection on ``object_type``; raises
        :class:`_NotPlain` when one of them is not plain. Built once a request per selection:
        graphql-core's ``collect_subfields`` returns the same object for every item of a list
        (memoized for the request), so it keys the plan, and is kept alive with it."""
        try:
            plans = self._partyplan_plans
        except AttributeError:
            plans = self._partyplan_plans = {}
        cached = plans.get(id(collected))
        if cached is None:
            cached = plans[id(collected)] = (collected, self._build_plan(object_type, collected))
        if cached[1] is None:
            raise _NotPlain
        return cached[1]

    @staticmethod
    def _build_plan(object_type: GraphQLObjectType, collected: Any) -> list[PlanStep] | None:
        if collected.new_defer_usages:
            return None
        plan: list[PlanStep] = []
        for response_name, field_details in collected.grouped_field_set.items():
            plain = _plain(object_type, field_details[0].node.name.value)
            if plain is None:
                return None
            plan.append((response_name, field_details, *plain))
        return plan

    def _plain_field(
        self, parent_type: GraphQLObjectType, source: Any, field_details_list: Any
    ) -> Any:
        plain = _plain(parent_type, field_details_list[0].node.name.value)
        if plain is None:
            raise _NotPlain
        reader, complete = plain
        try:
            value = reader(source)
        except _NotPlain:
            raise
        except Exception as error:  # reported by the per-field path, with its path
            raise _NotPlain from error
        return complete(self, field_details_list, value)


__all__ = ["PlainFieldExecutor", "prefetched"]
