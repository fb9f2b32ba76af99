"""One request, one transaction: a mutation document is written whole or not at all.

graphql-core runs a document's mutation fields one after the other in the request's one
transaction (each in a savepoint, ``schema/mutations.py``). Whatever ends one of them — a
GraphQL error anywhere in the response (NOT_FOUND, FORBIDDEN, an ID of the wrong type, an
unexpected exception), or typed ``errors`` in a payload (a business rule refused it) — the
request's owner rolls the whole transaction back, the fields that had succeeded included:
a client that retries the document then applies nothing twice.

The response must not report as written what was rolled back. A non-null payload that fails
with a GraphQL error nulls the whole ``data``: nothing is reported. When ``data`` survives (a
payload answered with typed errors, an error in a nullable field), :class:`AllOrNothing`
rewrites every payload that had not itself been refused: each field but ``errors`` reports
nothing written (null; an empty list; 0 for a count), and an error with ``extensions.code``
``ROLLED_BACK`` at the payload's path says why. A refused payload already reports nothing
written, and its typed errors say why.
"""

from __future__ import annotations

from typing import Any

import strawberry
from graphql import (
    GraphQLError,
    GraphQLInt,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLOutputType,
    OperationType,
)
from graphql.execution.collect_fields import collect_fields
from graphql.pyutils import Path
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext

ROLLED_BACK = "ROLLED_BACK"
ROLLED_BACK_MESSAGE = "未写入：本次请求的其他操作失败，一次请求中的操作要么全部生效，要么全部不生效"
# The response keys of the request's mutation fields answered with typed errors, memoized on
# the request's context like its DataLoaders.
_REFUSED = "partyplan.refused_mutations"
# Payload fields that report the outcome rather than what was written.
_KEPT = frozenset({"errors", "__typename"})


def _refused(context: Any) -> set[str]:
    return context.loader(_REFUSED, lambda _context: set())


def refuse(info: strawberry.Info) -> None:
    """The mutation field of ``info`` answered with typed errors: the request rolls back."""
    context = info.context
    _refused(context).add(str(info.path.key))
    context.failed = True


def not_written(field_type: GraphQLOutputType) -> Any:
    """What a payload field reports when nothing was written: null where the type allows it,
    else an empty list or 0 (the counts); ``ValueError`` for a type with no such value (a test
    holds that no payload has one)."""
    if not isinstance(field_type, GraphQLNonNull):
        return None
    if isinstance(field_type.of_type, GraphQLList):
        return []
    if field_type.of_type is GraphQLInt:
        return 0
    raise ValueError(f"{field_type} cannot say that nothing was written")


class AllOrNothing(StrawberryGraphQLCoreExecutionContext):
    """Marks a mutation document that failed anywhere as failed (its request rolls back) and
    answers it as rolled back. Queries pass through untouched: nothing here runs per field."""

    def build_response(self, data: dict[str, Any] | None) -> Any:
        if self.operation.operation is OperationType.MUTATION:
            self._roll_back_if_failed(data)
        return super().build_response(data)

    def _roll_back_if_failed(self, data: dict[str, Any] | None) -> None:
        context = self.context_value
        refused = _refused(context) if context is not None else set()
        if not self.collected_errors.errors and not refused:
            return
        if context is not None:
            context.failed = True
        if data is None:
            return  # nothing is reported as written
        root_type = self.schema.mutation_type
        assert root_type is not None
        grouped = collect_fields(
            self.schema,
            self.fragments,
            self.variable_values,
            root_type,
            self.operation,
            self.hide_suggestions,
        ).grouped_field_set
        for key, payload in data.items():
            if key in refused or not isinstance(payload, dict):
                continue
            details = grouped[key]
            payload_type = root_type.fields[details[0].node.name.value].type
            if isinstance(payload_type, GraphQLNonNull):
                payload_type = payload_type.of_type
            if isinstance(payload_type, GraphQLObjectType):
                selected = self.collect_subfields(payload_type, details).grouped_field_set
                for name, field_details in selected.items():
                    field_name = field_details[0].node.name.value
                    if field_name not in _KEPT:
                        payload[name] = not_written(payload_type.fields[field_name].type)
            error = GraphQLError(
                ROLLED_BACK_MESSAGE,
                nodes=[d.node for d in details],
                path=[key],
                extensions={"code": ROLLED_BACK},
            )
            self.collected_errors.add(error, Path(None, key, root_type.name))


__all__ = ["ROLLED_BACK", "AllOrNothing", "not_written", "refuse"]
