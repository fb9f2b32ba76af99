"""Plain fields completed without per-field execution.

graphql-core resolves every field on its own: a resolve-info object, a path, the resolver call
through strawberry's wrapper, an awaitable check and value completion, ~4–5 µs a field
(STACK-NOTES.md). A province roll-up of 150 lines asks for ~2,900 fields, so that machinery,
not the SQL, was most of its time. Most of those fields are *plain*: strawberry's default
resolver reading an attribute of an object the resolver above already built from one SQL
statement ("Reads are cheap", DESIGN.md).

:class:`PlainFieldExecutor` reads a plain field's value directly and completes it in one pass:

* plain = strawberry's default resolver (its ``_is_default`` mark: no resolver of its own, no
  permission classes, no field extensions) and no arguments; a relay node's ``id`` when the
  type keeps relay's own ``resolve_id`` and ``resolve_typename``; ``__typename``;
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

import operator
from collections.abc import Callable
from typing import Any

from graphql import (
    GraphQLLeafType,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLOutputType,
    Undefined,
)
from graphql.pyutils import Path, gather_with_cancel
from strawberry import relay
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext

_TYPENAME = "__typename"
Reader = Callable[[Any], Any]


class _NotPlain(Exception):
    """This value needs graphql-core's per-field execution."""


# (type name, field name) -> how to read a plain field, or None. The schema is built once per
# process, so its fields' plainness is decided once too.
_READERS: dict[tuple[str, str], Reader | None] = {}


def _node_id_reader(parent_type: GraphQLObjectType, origin: type) -> Reader | None:
    if (
        getattr(origin.resolve_id, "__func__", None) is not relay.Node.resolve_id.__func__
        or getattr(origin.resolve_typename, "__func__", None)
        is not relay.Node.resolve_typename.__func__
    ):
        return None
    attribute, type_name = origin.resolve_id_attr(), parent_type.name

    def read(source: Any) -> relay.GlobalID:
        if not isinstance(source, origin):
            raise _NotPlain
        return relay.GlobalID(type_name=type_name, node_id=str(getattr(source, attribute)))

    return read


def _reader(parent_type: GraphQLObjectType, field_name: str) -> Reader | None:
    key = (parent_type.name, field_name)
    try:
        return _READERS[key]
    except KeyError:
        pass
    reader: Reader | None = None
    field_def = parent_type.fields.get(field_name)
    if field_def is not None and not field_def.args:
        strawberry_field = field_def.extensions.get("strawberry-definition")
        definition = parent_type.extensions.get("strawberry-definition")
        origin = getattr(definition, "origin", None)
        if getattr(field_def.resolve, "_is_default", False) and strawberry_field is not None:
            reader = operator.attrgetter(strawberry_field.python_name)
        elif field_name == "id" and isinstance(origin, type) and issubclass(origin, relay.Node):
            reader = _node_id_reader(parent_type, origin)
    _READERS[key] = reader
    return reader


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

    def _plain_field(self, parent_type: GraphQLObjectType, source: Any,
                     field_details_list: Any) -> Any:  # fmt: skip
        field_name = field_details_list[0].node.name.value
        if field_name == _TYPENAME:
            return parent_type.name
        reader = _reader(parent_type, field_name)
        if reader is None:
            raise _NotPlain
        try:
            value = reader(source)
        except _NotPlain:
            raise
        except Exception as error:  # reported by the per-field path, with its path
            raise _NotPlain from error
        return self._plain_value(parent_type.fields[field_name].type, field_details_list, value)

    def _plain_value(self, return_type: GraphQLOutputType, field_details_list: Any,
                     value: Any) -> Any:  # fmt: skip
        if isinstance(return_type, GraphQLNonNull):
            if value is None:
                raise _NotPlain
            return self._plain_value(return_type.of_type, field_details_list, value)
        if value is None:
            return None
        if isinstance(return_type, GraphQLLeafType):
            try:
                coerced = return_type.coerce_output_value(value)
            except Exception as error:
                raise _NotPlain from error
            if coerced is Undefined or coerced is None:
                raise _NotPlain
            return coerced
        if isinstance(return_type, GraphQLList):
            if isinstance(value, str | bytes | dict) or not hasattr(value, "__iter__"):
                raise _NotPlain
            item_type = return_type.of_type
            return [self._plain_value(item_type, field_details_list, item) for item in value]
        if isinstance(return_type, GraphQLObjectType):
            if return_type.is_type_of is not None and not return_type.is_type_of(value, None):
                raise _NotPlain
            collected = self.collect_subfields(return_type, field_details_list)
            if collected.new_defer_usages:
                raise _NotPlain
            return {
                response_name: self._plain_field(return_type, value, details)
                for response_name, details in collected.grouped_field_set.items()
            }
        raise _NotPlain  # interfaces and unions: their runtime type is resolved per field


__all__ = ["PlainFieldExecutor"]
