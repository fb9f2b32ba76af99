"""A known document's operation as a tree of selected fields, fragments merged: what the
compilers of ``schema/compiled`` read.

Only what a compiled statement can answer exactly as the ordinary executor does is accepted; any
other document is :class:`NotCompiled` and runs as before: a subscription or mutation, a
directive anywhere (``@include``/``@skip`` would make the selection depend on variables), a
fragment on another type than the one it is spread in (an interface or union's), a field with
arguments below the root (none is compiled yet)."""

from __future__ import annotations

from dataclasses import dataclass, field

from graphql import (
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLObjectType,
    GraphQLSchema,
    InlineFragmentNode,
    OperationDefinitionNode,
    OperationType,
    SelectionSetNode,
    get_named_type,
)


class NotCompiled(Exception):
    """The document runs through the ordinary executor (the reason, for tests and logs)."""


@dataclass
class Selected:
    """One response key: the field it reads, its node (the root's arguments are read from it
    with the request's variables), and the fields selected on its value, merged."""

    key: str
    name: str
    node: FieldNode
    parent: GraphQLObjectType
    children: list[Selected] = field(default_factory=list)

    def child(self, name: str) -> list[Selected]:
        return [c for c in self.children if c.name == name]


def operation_of(document: DocumentNode, operation_name: str | None) -> OperationDefinitionNode:
    operations = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
    if operation_name is None:
        if len(operations) != 1:
            raise NotCompiled("several operations and none named")
        return operations[0]
    for operation in operations:
        if operation.name is not None and operation.name.value == operation_name:
            return operation
    raise NotCompiled(f"no operation {operation_name}")


def root_fields(
    schema: GraphQLSchema, document: DocumentNode, operation: OperationDefinitionNode
) -> list[Selected]:
    """The operation's root fields with their selections (a query's only)."""
    if operation.operation is not OperationType.QUERY:
        raise NotCompiled("only queries are compiled")
    if operation.directives:
        raise NotCompiled("a directive on the operation")
    fragments = {
        d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)
    }
    query = schema.query_type
    assert query is not None
    return _collect(schema, fragments, operation.selection_set, query, root=True)


def _collect(
    schema: GraphQLSchema,
    fragments: dict[str, FragmentDefinitionNode],
    selection_set: SelectionSetNode | None,
    parent: GraphQLObjectType,
    *,
    root: bool = False,
) -> list[Selected]:
    merged: dict[str, Selected] = {}
    for node in _fields(fragments, selection_set, parent, set()):
        if node.directives:
            raise NotCompiled(f"a directive on {node.name.value}")
        if node.arguments and not root:
            raise NotCompiled(f"arguments on {node.name.value}")
        key = node.alias.value if node.alias else node.name.value
        selected = merged.get(key)
        if selected is None:
            selected = merged[key] = Selected(key, node.name.value, node, parent)
        if node.selection_set is not None:
            definition = parent.fields.get(node.name.value)
            if definition is None:
                raise NotCompiled(f"no field {parent.name}.{node.name.value}")
            inner = get_named_type(definition.type)
            if not isinstance(inner, GraphQLObjectType):
                raise NotCompiled(f"{inner.name} is not an object type")
            selected.children += _collect(schema, fragments, node.selection_set, inner)
    return _merge_children(list(merged.values()))


def _merge_children(fields: list[Selected]) -> list[Selected]:
    """A key selected twice (the same field: validation holds it so) has its selections merged
    once more, key by key, in the order they first appear."""
    for selected in fields:
        seen: dict[str, Selected] = {}
        for child in selected.children:
            if child.key in seen:
                seen[child.key].children += child.children
            else:
                seen[child.key] = child
        selected.children = _merge_children(list(seen.values()))
    return fields


def _fields(
    fragments: dict[str, FragmentDefinitionNode],
    selection_set: SelectionSetNode | None,
    parent: GraphQLObjectType,
    spreading: set[str],
) -> list[FieldNode]:
    found: list[FieldNode] = []
    for selection in selection_set.selections if selection_set else ():
        if isinstance(selection, FieldNode):
            found.append(selection)
            continue
        if selection.directives:
            raise NotCompiled("a directive on a fragment")
        if isinstance(selection, InlineFragmentNode):
            condition = selection.type_condition
            if condition is not None and condition.name.value != parent.name:
                raise NotCompiled("a fragment on another type")
            found += _fields(fragments, selection.selection_set, parent, spreading)
        elif isinstance(selection, FragmentSpreadNode):
            name = selection.name.value
            fragment = fragments.get(name)
            if fragment is None or name in spreading:
                raise NotCompiled(f"fragment {name}")
            if fragment.type_condition.name.value != parent.name or fragment.directives:
                raise NotCompiled("a fragment on another type")
            found += _fields(fragments, fragment.selection_set, parent, spreading | {name})
    return found
