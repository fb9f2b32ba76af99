"""Which reads may come from a streaming replica: a declared property of the query fields.

A root ``Query`` field declared with ``metadata=REPLICA_READ`` reads what a replica holds
(roll-ups, reports, the 12371 export's link): tallies and documents, where a replica a moment
behind the primary answers as well, and never a write. A request is sent to the replica only
when its operation is a query and every root field it selects is so declared (``__typename``
aside); one other field, and the whole request reads on the primary, in its one transaction.
Mutations never. Whether the replica is used then is the server's choice, made when the session
opens (``server/replica.py``: the caller's last write must have been replayed there).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from graphql import (
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLSchema,
    InlineFragmentNode,
    OperationType,
    SelectionSetNode,
)
from graphql.utilities import get_operation_ast
from strawberry.extensions import SchemaExtension

__all__ = ["REPLICA_READ", "ReplicaReads", "replica_fields", "reads_replica"]

_KEY = "partyplan.replica_read"
#: The ``metadata`` of a root query field whose reads a streaming replica may answer.
REPLICA_READ: dict[str, Any] = {_KEY: True}


def replica_fields(schema: GraphQLSchema) -> frozenset[str]:
    """The root query fields declared replica reads, by their GraphQL names."""
    query = schema.query_type
    if query is None:
        return frozenset()
    return frozenset(
        name
        for name, field in query.fields.items()
        if getattr(field.extensions.get("strawberry-definition"), "metadata", {}).get(_KEY)
    )


def reads_replica(
    document: DocumentNode | None, operation_name: str | None, fields: frozenset[str]
) -> bool:
    """Whether the operation is a query of declared replica reads only."""
    if document is None:
        return False
    operation = get_operation_ast(document, operation_name)
    if operation is None or operation.operation is not OperationType.QUERY:
        return False
    fragments = {
        d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)
    }
    names = list(_root_names(operation.selection_set, fragments, set()))
    real = [name for name in names if name != "__typename"]
    return bool(real) and all(name in fields for name in real)


def _root_names(
    selections: SelectionSetNode, fragments: dict[str, FragmentDefinitionNode], seen: set[str]
) -> Iterator[str]:
    for selection in selections.selections:
        if isinstance(selection, FieldNode):
            yield selection.name.value
        elif isinstance(selection, InlineFragmentNode):
            yield from _root_names(selection.selection_set, fragments, seen)
        elif isinstance(selection, FragmentSpreadNode):
            name = selection.name.value
            if name not in fragments:
                yield "__unknown__"  # validation refuses it; never a replica read
                continue
            if name in seen:  # its fields are counted already
                continue
            seen.add(name)
            yield from _root_names(fragments[name].selection_set, fragments, seen)


class ReplicaReads(SchemaExtension):
    """Tells the request's context, before any resolver runs, that its reads may come from the
    replica (``Context.read_from_replica``). Installed by the server only when a replica is
    configured."""

    def __init__(self, fields: frozenset[str]) -> None:
        self.fields = fields

    def on_execute(self) -> Iterator[None]:
        context = self.execution_context
        if reads_replica(context.graphql_document, context.operation_name, self.fields):
            declare = getattr(context.context, "read_from_replica", None)
            if declare is not None:
                declare()
        yield
