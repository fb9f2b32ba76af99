"""Static cost analysis: what a document may ask of the service, known before it runs.

**The measure.** Every field selected costs 1. A field that pages (it takes ``first``, ``limit``
or ``last``; a connection the one of ``first``/``last`` given) multiplies the cost of its
selection by that argument: a literal, or a variable's
value in the request (its default in the operation when the request gives none); absent or
null, the argument's default in the schema, else ``max_page_size`` (the most a page can hold).
Any other field returning a list of objects multiplies its selection by ``max_page_size`` too
(nothing bounds it below that), except a connection's ``edges``/``nodes``, which are the page
its connection field already counted, and a list whose length the code fixes, which declares its
most items (``strawberry.field(metadata={MAX_ITEMS: n})``: the procedure's steps). Nesting
multiplies; a fragment counts once per spread.
``__typename`` costs 1 like any field; ``__schema``/``__type`` cost 1 and are not descended
(the schema's own description: no data, bounded by the schema, off in production).

**When.** :class:`CostLimit` measures after validation (so the document is known to be sound:
no unknown field, no fragment cycle, within the depth limit) and before execution, and refuses a
document above the request's budget with ``QUERY_TOO_COSTLY`` (``extensions.cost`` and
``extensions.budget``) without running any of it. The budget is the request's
(``cost_budget`` on its context, set by the server from the caller: ``resolvers.policies.rules``);
a context without one is not limited.

**Cost of the measure.** A document is compiled once per text into a :class:`Cost` (an LRU of
:data:`CACHE_SIZE` texts): constant parts are folded, so a document whose page sizes are
literals costs one dict lookup per request; a variable-driven page size leaves a small
expression evaluated with the request's variables. The per-request budget is compared here,
outside strawberry's validation: the validation rules and their cache are untouched.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any, Protocol

from graphql import (
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    GraphQLField,
    GraphQLInterfaceType,
    GraphQLNamedType,
    GraphQLObjectType,
    GraphQLSchema,
    InlineFragmentNode,
    IntValueNode,
    OperationDefinitionNode,
    SelectionSetNode,
    VariableNode,
    get_named_type,
    get_nullable_type,
    is_list_type,
)
from graphql import ExecutionResult as GraphQLExecutionResult
from strawberry.extensions import SchemaExtension

TOO_COSTLY = "QUERY_TOO_COSTLY"
#: A field's metadata key: the most items a list holds whose length the code fixes.
MAX_ITEMS = "max_items"
PAGE_ARGUMENTS = ("first", "limit", "last")
CACHE_SIZE = 256
#: Stands for a literal too long to be a page size (validation refuses it before we measure).
_HUGE = 10**18


class CostContext(Protocol):
    """What :class:`CostLimit` reads from a request's context (absent: no limit)."""

    cost_budget: int | None


@dataclass(frozen=True, slots=True)
class Var:
    """A page size given by a variable: its value in the request, else ``missing`` (the
    operation's default for it, or the argument's); ``otherwise`` for null or a value that is
    no integer (execution refuses the latter anyway)."""

    name: str
    missing: int
    otherwise: int

    def value(self, variables: Mapping[str, Any] | None) -> int:
        if variables is None or self.name not in variables:
            return self.missing
        given = variables[self.name]
        if type(given) is int:  # not bool
            return given if given > 0 else 0
        return self.otherwise


@dataclass(frozen=True, slots=True, eq=False)
class Cost:
    """``constant`` plus, for each term, its factor times its sub-cost. Fragments spread more
    than once share one object, so evaluation memoizes by identity: nested spreads cost their
    number of nodes to evaluate, never their (possibly exponential) expansion."""

    constant: int
    terms: tuple[tuple[int | Var, Cost], ...] = ()

    def evaluate(self, variables: Mapping[str, Any] | None = None) -> int:
        if not self.terms:
            return self.constant
        return self._evaluate(variables, {})

    def _evaluate(self, variables: Mapping[str, Any] | None, memo: dict[int, int]) -> int:
        known = memo.get(id(self))
        if known is not None:
            return known
        total = self.constant
        for factor, cost in self.terms:
            times = factor if isinstance(factor, int) else factor.value(variables)
            if times:
                total += times * cost._evaluate(variables, memo)
        memo[id(self)] = total
        return total


ZERO = Cost(0)


class _Compiler:
    """Compiles one operation of a validated document (fragments memoized per operation: their
    variables take that operation's defaults)."""

    def __init__(
        self,
        schema: GraphQLSchema,
        fragments: Mapping[str, FragmentDefinitionNode],
        max_page: int,
        defaults: Mapping[str, int | None],
    ) -> None:
        self.schema, self.fragments, self.max_page = schema, fragments, max_page
        self.defaults = defaults
        self.compiled: dict[str, Cost] = {}
        self.visiting: set[str] = set()

    def selection(self, selection_set: SelectionSetNode, parent: GraphQLNamedType | None) -> Cost:
        constant = 0
        terms: list[tuple[int | Var, Cost]] = []

        def add(factor: int | Var, cost: Cost) -> None:
            # A constant folds; anything else is referenced, never copied, so that a fragment
            # spread twice in each of its callers stays one object (no doubling of terms).
            nonlocal constant
            if not cost.terms and isinstance(factor, int):
                constant += factor * cost.constant
            elif cost.constant or cost.terms:
                terms.append((factor, cost))

        fields = _fields_of(parent)
        for node in selection_set.selections:
            if isinstance(node, FieldNode):
                constant += 1
                field = fields.get(node.name.value)
                if field is None or node.selection_set is None:
                    continue  # a leaf, or __typename / __schema / __type
                inner = self.selection(node.selection_set, get_named_type(field.type))
                add(self.factor(node, field, parent), inner)
            elif isinstance(node, InlineFragmentNode):
                condition = node.type_condition
                typ = self.schema.get_type(condition.name.value) if condition else parent
                add(1, self.selection(node.selection_set, typ))
            elif isinstance(node, FragmentSpreadNode):
                add(1, self.fragment(node.name.value))
        return Cost(constant, tuple(terms))

    def fragment(self, name: str) -> Cost:
        cost = self.compiled.get(name)
        if cost is not None:
            return cost
        definition = self.fragments.get(name)
        if definition is None or name in self.visiting:
            return ZERO  # validation refuses both before anything is measured
        self.visiting.add(name)
        try:
            typ = self.schema.get_type(definition.type_condition.name.value)
            cost = self.selection(definition.selection_set, typ)
        finally:
            self.visiting.discard(name)
        self.compiled[name] = cost
        return cost

    def factor(
        self, node: FieldNode, field: GraphQLField, parent: GraphQLNamedType | None
    ) -> int | Var:
        # A connection takes `first` or `last`: the one the document gives is the page size.
        given = {a.name.value for a in node.arguments or ()}
        for name in sorted(PAGE_ARGUMENTS, key=lambda n: n not in given):
            argument = field.args.get(name)
            if argument is not None:
                declared = argument.default_value
                fallback = declared if type(declared) is int else self.max_page
                return self.page(node, name, fallback)
        if is_list_type(get_nullable_type(field.type)):
            if (
                parent is not None
                and parent.name.endswith("Connection")
                and node.name.value in ("edges", "nodes")
            ):
                return 1
            return _declared_items(field, self.max_page)
        return 1

    def page(self, node: FieldNode, name: str, fallback: int) -> int | Var:
        value = next((a.value for a in node.arguments or () if a.name.value == name), None)
        if isinstance(value, IntValueNode):
            return _int_literal(value.value)
        if isinstance(value, VariableNode):
            variable = value.name.value
            default = self.defaults.get(variable)
            return Var(variable, fallback if default is None else default, fallback)
        return fallback  # absent, null


def _declared_items(field: GraphQLField, otherwise: int) -> int:
    """The :data:`MAX_ITEMS` a strawberry field declares, else ``otherwise``."""
    definition = (field.extensions or {}).get("strawberry-definition")
    declared = (getattr(definition, "metadata", None) or {}).get(MAX_ITEMS)
    return declared if type(declared) is int and declared >= 0 else otherwise


def _fields_of(typ: GraphQLNamedType | None) -> Mapping[str, GraphQLField]:
    if isinstance(typ, GraphQLObjectType | GraphQLInterfaceType):
        return typ.fields
    return {}


def _int_literal(text: str) -> int:
    if len(text) > 18:
        return _HUGE
    return max(int(text), 0)


def compile_document(
    schema: GraphQLSchema, document: DocumentNode, max_page: int
) -> dict[str | None, Cost]:
    """The cost of each operation of a validated ``document``, by name (None: anonymous)."""
    fragments = {
        d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)
    }
    costs: dict[str | None, Cost] = {}
    for definition in document.definitions:
        if not isinstance(definition, OperationDefinitionNode):
            continue
        root = schema.get_root_type(definition.operation)
        defaults = {
            v.variable.name.value: (
                _int_literal(v.default_value.value)
                if isinstance(v.default_value, IntValueNode)
                else None
            )
            for v in definition.variable_definitions or ()
        }
        compiler = _Compiler(schema, fragments, max_page, defaults)
        name = definition.name.value if definition.name else None
        costs[name] = compiler.selection(definition.selection_set, root)
    return costs


class DocumentCosts:
    """Compiled costs by document text, an LRU bounded to ``maxsize`` texts."""

    def __init__(self, max_page_size: int, maxsize: int = CACHE_SIZE) -> None:
        self.max_page_size, self.maxsize = max_page_size, maxsize
        self._compiled: OrderedDict[str, dict[str | None, Cost]] = OrderedDict()
        self.compilations = 0

    def of(
        self,
        schema: GraphQLSchema,
        text: str,
        document: DocumentNode,
        operation_name: str | None,
        variables: Mapping[str, Any] | None,
    ) -> int:
        """The cost of ``operation_name`` (or of the costliest operation when none is named)
        of the document ``text`` (parsed: ``document``) with ``variables``."""
        operations = self._compiled.get(text)
        if operations is None:
            operations = compile_document(schema, document, self.max_page_size)
            self.compilations += 1
            self._compiled[text] = operations
            if len(self._compiled) > self.maxsize:
                self._compiled.popitem(last=False)
        else:
            self._compiled.move_to_end(text)
        if operation_name is not None and operation_name in operations:
            return operations[operation_name].evaluate(variables)
        return max((cost.evaluate(variables) for cost in operations.values()), default=0)


def too_costly(cost: int | None, budget: int) -> GraphQLError:
    measured = "too deeply nested to measure" if cost is None else f"costs {cost}"
    return GraphQLError(
        f"The document {measured}; this caller's budget is {budget}. Ask for smaller pages "
        "(first/limit) or fewer nested lists.",
        extensions={"code": TOO_COSTLY, "cost": cost, "budget": budget},
    )


class CostLimit(SchemaExtension):
    """Refuses, before execution, a document costing more than the request's budget."""

    def __init__(self, costs: DocumentCosts) -> None:
        super().__init__()
        self.costs = costs

    def on_execute(self) -> Iterator[None]:
        context = self.execution_context
        budget = getattr(context.context, "cost_budget", None)
        if budget is not None and context.query and context.graphql_document is not None:
            try:
                cost: int | None = self.costs.of(
                    context.schema._schema,
                    context.query,
                    context.graphql_document,
                    context.operation_name,
                    context.variables,
                )
            except RecursionError:
                cost = None
            if cost is None or cost > budget:
                context.result = GraphQLExecutionResult(
                    data=None, errors=[too_costly(cost, budget)]
                )
        yield
