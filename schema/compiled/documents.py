"""Known documents compiled once, run as one SQL statement per root field.

A *known* document is one the platform trusts by id: its own screens' (``documents/``) and those
a client registered (``registerDocuments``), both sent as ``{"documentId": …}`` (README, "Limits
and trusted documents"). The platform's are compiled when the service starts
(:meth:`CompiledDocuments.register`); a client's the first time a worker runs it (a worker
reads a client's documents from the database on first use). Each is then kept by its text: its
operation is parsed once (``selection.py``), every root field must have a compiler
(today ``plan``, ``recruits``, ``rollup`` and ``warnings``), and every field selected below it
must be one the compiler answers in SQL.

Running one (:meth:`CompiledDocuments.execute`), in the request's transaction:

1. the variables are coerced as graphql-core coerces them, and the cost is measured with them
   as ``schema/cost.py`` measures it;
2. the session is bound (the caller's principal, row-level security's settings);
3. each root field makes the ordinary resolver's checks from the principal (the unit under
   which it lists, the permission there), then one statement builds its JSON in PostgreSQL;
4. the response is the JSON text of each field, joined: no Python object per row or field.

Anything that would end in an error — variables that do not coerce, a cost over the budget, an
id out of reach, an argument refused — is answered by the ordinary executor instead (the
method returns None): the errors, their paths and codes are the ordinary ones by construction,
and only successful responses come from SQL. ``tests/schema/test_compiled_documents.py`` holds
the two paths to the same responses on random data."""

from __future__ import annotations

import json
from collections import OrderedDict
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Protocol

from graphql import GraphQLError, GraphQLSchema, OperationDefinitionNode, parse
from graphql.execution.values import get_argument_values, get_variable_values

from partyplan.auth.errors import AccessError
from partyplan.resolvers.errors import DomainError
from partyplan.tenants.session import Session

from ..cost import Cost, compile_document
from ..replica import reads_replica
from .plans import PlanField
from .recruits import RecruitsField
from .rollups import RollupField
from .selection import NotCompiled, Selected, operation_of, root_fields
from .warnings import WarningsField

#: The root fields compiled, each with its compiler.
ROOTS = {
    "plan": PlanField,
    "recruits": RecruitsField,
    "rollup": RollupField,
    "warnings": WarningsField,
}
CACHE_SIZE = 256


class CompiledContext(Protocol):
    settings: Any
    pii: Any
    cost_budget: int | None
    generic_plans: bool

    async def session(self) -> Session: ...


@dataclass(frozen=True)
class _Root:
    selected: Selected
    compiler: Any


@dataclass(frozen=True)
class CompiledOperation:
    name: str | None
    #: Every root field is a declared replica read (schema/replica.py).
    on_replica: bool
    variable_definitions: Any
    roots: tuple[_Root, ...]
    cost: Cost


class CompiledDocuments:
    """Compiled operations by (document text, operation name); None remembered for a document
    that is not compiled, so it is judged once."""

    def __init__(
        self,
        schema: GraphQLSchema,
        max_page_size: int,
        replica_fields: frozenset[str] = frozenset(),
        size: int = CACHE_SIZE,
    ) -> None:
        self.schema, self.max_page_size, self.size = schema, max_page_size, size
        self.replica_fields = replica_fields
        self._known: OrderedDict[tuple[str, str | None], CompiledOperation | None] = OrderedDict()
        # Requests answered by SQL, and those a compiled operation left to the ordinary executor.
        self.answered = self.deferred = 0

    def compiled(self, text: str, operation_name: str | None) -> CompiledOperation | None:
        key = (text, operation_name)
        if key in self._known:
            self._known.move_to_end(key)
            return self._known[key]
        try:
            found: CompiledOperation | None = self._compile(text, operation_name)
        except (NotCompiled, GraphQLError):
            found = None
        self._known[key] = found
        if len(self._known) > self.size:
            self._known.popitem(last=False)
        return found

    def register(self, text: str) -> None:
        """Compile a known document now (the platform's, at start), each of its operations
        under its name and, for a document of one operation, under none (a request need not
        name it): its first request finds it compiled, or known not to be."""
        try:
            operations = [
                d for d in parse(text).definitions if isinstance(d, OperationDefinitionNode)
            ]
        except GraphQLError:
            return
        for operation in operations:
            if operation.name is not None:
                self.compiled(text, operation.name.value)
        if len(operations) == 1:
            self.compiled(text, None)

    def _compile(self, text: str, operation_name: str | None) -> CompiledOperation:
        document = parse(text)
        operation = operation_of(document, operation_name)
        roots = []
        for selected in root_fields(self.schema, document, operation):
            compiler = ROOTS.get(selected.name)
            if compiler is None:
                raise NotCompiled(f"{selected.name} is not compiled")
            roots.append(_Root(selected, compiler(selected)))
        name = operation.name.value if operation.name else None
        cost = compile_document(self.schema, document, self.max_page_size)[name]
        on_replica = reads_replica(document, operation_name, self.replica_fields)
        return CompiledOperation(
            name, on_replica, operation.variable_definitions, tuple(roots), cost
        )

    async def execute(
        self,
        operation: CompiledOperation,
        context: CompiledContext,
        variables: Mapping[str, Any] | None,
    ) -> str | None:
        """The response's JSON text, or None when the ordinary executor must answer."""
        values = get_variable_values(
            self.schema, list(operation.variable_definitions or ()), dict(variables or {})
        )
        if isinstance(values, list):  # variables that do not coerce: the ordinary errors
            self.deferred += 1
            return None
        budget = context.cost_budget
        if budget is not None and operation.cost.evaluate(variables) > budget:
            self.deferred += 1
            return None
        parts = []
        # Each statement is kept per shape, its values parameters: planned once, not per
        # request (tenants/binding.py). A session bound before keeps its planning.
        context.generic_plans = True
        try:
            session = await context.session()
            for root in operation.roots:
                definition = root.selected.parent.fields[root.selected.name]
                arguments = get_argument_values(definition, root.selected.node, values)
                text = await root.compiler.run(context, session, arguments)
                parts.append(f"{json.dumps(root.selected.key)}:{text}")
        except (AccessError, DomainError, GraphQLError, ValueError):
            self.deferred += 1
            return None
        self.answered += 1
        return '{"data":{' + ",".join(parts) + "}}"
