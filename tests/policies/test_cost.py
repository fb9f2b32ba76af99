"""Static cost analysis (schema/cost.py) and the budgets it is held to.

The measure is checked against the rule stated in schema/cost.py, term by term (P stands for
the settings' max page size); the API tests check that a document above its caller's budget is
refused before anything runs, that the budget is the caller's, and that the per-request budget
leaves strawberry's validation cache hitting.
"""

from __future__ import annotations

import time
import uuid
from typing import Any

import pytest
from graphql import parse
from strawberry.extensions.validation_cache import DEFAULT_MAXSIZE, _get_validate_cache
from support import codes, scalar
from support_policies import (
    by_id,
    client_gid,
    client_token,
    create_client,
    store_document,
)

from partyplan.schema import cost as cost_module
from partyplan.schema.cost import DocumentCosts, compile_document
from partyplan.schema.schema import build_schema

CONNECTION = "{ units(first: 10) { totalCount edges { node { id name } } } }"
# users: 1; edges: 1; node: 1; roleBindings: 1 + P × (role 1, unit 1 + name 1).
NESTED = "{ users(first: 200) { edges { node { roleBindings { role unit { name } } } } } }"
ROLES = "{ roles { name } }"


@pytest.fixture(scope="module")
def graphql_schema(settings):  # type: ignore[no-untyped-def]
    return build_schema(settings)._schema


def measure(
    schema: Any, text: str, variables: dict[str, Any] | None = None, page: int = 200
) -> int:
    [cost] = compile_document(schema, parse(text), page).values()
    return cost.evaluate(variables)


# --- the measure ---------------------------------------------------------------------------------


def test_fields_count_one_and_pages_multiply(graphql_schema) -> None:  # type: ignore[no-untyped-def]
    # units 1 + 10 × (totalCount 1 + edges 1 + node 1 + id 1 + name 1): edges is the page.
    assert measure(graphql_schema, CONNECTION) == 1 + 10 * 5
    assert measure(graphql_schema, CONNECTION.replace("(first: 10)", "")) == 1 + 200 * 5
    assert measure(graphql_schema, CONNECTION.replace("first: 10", "first: null")) == 1 + 200 * 5
    assert measure(graphql_schema, CONNECTION, page=50) == 1 + 10 * 5


@pytest.mark.parametrize("page", [200, 17])
def test_lists_without_a_page_count_the_max_page(graphql_schema, page: int) -> None:  # type: ignore[no-untyped-def]
    assert measure(graphql_schema, ROLES, page=page) == 1 + page * 1
    assert measure(graphql_schema, "{ roles { name permissions } }", page=page) == 1 + page * 2


def test_nesting_multiplies(graphql_schema) -> None:  # type: ignore[no-untyped-def]
    p = 200
    assert measure(graphql_schema, NESTED, page=p) == 1 + 200 * (1 + 1 + 1 + p * (1 + 1 + 1))


@pytest.mark.parametrize(
    ("variables", "expected_first"),
    [
        ({"n": 3}, 3),
        ({}, 200),
        ({"n": None}, 200),
        ({"n": -5}, 0),
        ({"n": "ten"}, 200),
        ({"n": True}, 200),
        ({"n": 10**12}, 10**12),
    ],
    ids=["given", "missing", "null", "negative", "a string", "a boolean", "huge"],
)
def test_a_variable_page_size_counts_its_value(
    graphql_schema, variables: dict[str, Any], expected_first: int
) -> None:  # type: ignore[no-untyped-def]
    text = "query($n: Int) { units(first: $n) { edges { node { id } } } }"
    assert measure(graphql_schema, text, variables) == 1 + expected_first * 3


def test_an_operations_default_counts_when_the_variable_is_missing(graphql_schema) -> None:  # type: ignore[no-untyped-def]
    text = "query($n: Int = 7) { units(first: $n) { edges { node { id } } } }"
    assert measure(graphql_schema, text, {}) == 1 + 7 * 3
    assert measure(graphql_schema, text, {"n": 2}) == 1 + 2 * 3
    assert measure(graphql_schema, text, {"n": None}) == 1 + 200 * 3


def test_fragments_count_once_per_spread(graphql_schema) -> None:  # type: ignore[no-untyped-def]
    text = """{ a: units(first: 2) { ...Count } b: units(first: 3) { ...Count ...Count } }
      fragment Count on UnitConnection { totalCount pageInfo { hasNextPage } }"""
    assert measure(graphql_schema, text) == (1 + 2 * 3) + (1 + 3 * 6)
    inline = '{ node(id: "x") { ... on Unit { name parent { name } } } }'
    assert measure(graphql_schema, inline) == 1 + 1 + 1 + 1


def test_nested_spreads_are_evaluated_without_expanding(graphql_schema) -> None:  # type: ignore[no-untyped-def]
    depth = 60
    fragments = "".join(
        f"fragment F{i} on Query {{ ...F{i + 1} ...F{i + 1} }}\n" for i in range(depth)
    )
    text = "query($n: Int) { ...F0 }\n" + fragments
    text += f"fragment F{depth} on Query {{ units(first: $n) {{ totalCount }} }}"
    started = time.perf_counter()
    assert measure(graphql_schema, text, {"n": 4}) == 2**depth * (1 + 4 * 1)
    assert time.perf_counter() - started < 1


def test_introspection_is_not_descended(graphql_schema) -> None:  # type: ignore[no-untyped-def]
    text = "{ __typename __schema { types { fields { args { name } } } } }"
    assert measure(graphql_schema, text) == 2


def test_a_text_is_compiled_once(graphql_schema, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    calls: list[str] = []
    original = cost_module.compile_document

    def counting(*args: Any) -> Any:
        calls.append("compile")
        return original(*args)

    monkeypatch.setattr(cost_module, "compile_document", counting)
    costs = DocumentCosts(200, maxsize=2)
    text = "query($n: Int) { units(first: $n) { totalCount } }"
    document = parse(text)
    assert [costs.of(graphql_schema, text, document, None, {"n": n}) for n in (1, 5)] == [2, 6]
    assert calls == ["compile"]
    for other in ("{ roles { name } }", "{ me { clientId } }"):  # evicts the first (LRU of 2)
        costs.of(graphql_schema, other, parse(other), None, None)
    costs.of(graphql_schema, text, document, None, {"n": 1})
    assert len(calls) == 4


# --- budgets through the API ---------------------------------------------------------------------


def _cost_error(result: dict[str, Any]) -> dict[str, Any]:
    assert codes(result) == ["QUERY_TOO_COSTLY"], result
    assert result["data"] is None
    return result["errors"][0]["extensions"]


async def test_a_costly_document_is_refused_with_its_cost(
    client, gql, platform, world, owner_engine
) -> None:  # type: ignore[no-untyped-def]
    p = platform.settings.max_page_size
    nested_cost = 1 + 200 * (3 + p * 3)
    budget = nested_cost - 1
    pk, client_id = await create_client(owner_engine, world, cost_budget=budget)
    document_id = await store_document(owner_engine, pk, NESTED)
    cheap_id = await store_document(owner_engine, pk, ROLES)
    token = client_token(platform, world, "commission_admin", client_id)
    refused = (await by_id(client, document_id, token=token)).json()
    assert _cost_error(refused) == {
        "code": "QUERY_TOO_COSTLY",
        "cost": nested_cost,
        "budget": budget,
    }
    cheap = await by_id(client, cheap_id, token=token)
    assert cheap.status_code == 200 and "errors" not in cheap.json(), cheap.text


async def test_a_refused_document_runs_nothing(gql, platform, world, owner_engine) -> None:  # type: ignore[no-untyped-def]
    p = platform.settings.max_page_size
    # registerDocuments 1, documentIds 1, errors 1 + P × code 1
    cost = 3 + p
    target, _ = await create_client(owner_engine, world)
    _, client_id = await create_client(owner_engine, world, unit="commission", cost_budget=cost - 1)
    token = client_token(platform, world, "commission_admin", client_id)
    # Free text from a client: held to the lower of its budget and the untrusted one.
    assert cost - 1 < platform.settings.cost_budget_untrusted
    document = "mutation($c: ID!, $d: [String!]!) { registerDocuments(input: {clientId: $c, documents: $d}) { documentIds errors { code } } }"
    result = await gql(document, {"c": client_gid(target), "d": [ROLES]}, token)
    assert _cost_error(result)["cost"] == cost
    assert await scalar(owner_engine, "SELECT count(*) FROM trusted_documents") == 0
    assert await scalar(owner_engine, "SELECT count(*) FROM audit_log") == 0


async def test_the_budget_is_the_callers(client, gql, platform, world, owner_engine) -> None:  # type: ignore[no-untyped-def]
    settings = platform.settings
    p = settings.max_page_size
    cost = 1 + 200 * (3 + p * 3)
    client_budget = cost + 1
    # The document sits above the untrusted budget and within the others.
    assert settings.cost_budget_untrusted < cost < client_budget <= settings.cost_budget
    pk, client_id = await create_client(owner_engine, world, cost_budget=client_budget)
    document_id = await store_document(owner_engine, pk, NESTED)
    client_token_ = client_token(platform, world, "commission_admin", client_id)

    anonymous = await gql(NESTED)
    assert _cost_error(anonymous) == {
        "code": "QUERY_TOO_COSTLY",
        "cost": cost,
        "budget": settings.cost_budget_untrusted,
    }
    free_text = await gql(NESTED, token=client_token_)
    assert _cost_error(free_text)["budget"] == settings.cost_budget_untrusted
    trusted = (await by_id(client, document_id, token=client_token_)).json()
    assert "errors" not in trusted and trusted["data"]["users"]["edges"], trusted
    operator = await gql(NESTED, token=world.tokens["commission_admin"])
    assert "errors" not in operator and operator["data"]["users"]["edges"], operator


async def test_a_variable_page_size_is_counted(gql, platform, world, owner_engine) -> None:  # type: ignore[no-untyped-def]
    p = platform.settings.max_page_size
    text = "query($n: Int) { units(first: $n) { edges { node { id name } } } }"
    budget = 1 + 4 * (p // 2)
    _, client_id = await create_client(owner_engine, world, cost_budget=budget)
    token = client_token(platform, world, "commission_admin", client_id)
    small = await gql(text, {"n": p // 2}, token)
    assert "errors" not in small, small
    for variables in ({"n": p // 2 + 1}, {}):
        refused = await gql(text, variables, token)
        n = variables.get("n", p)
        assert _cost_error(refused) == {
            "code": "QUERY_TOO_COSTLY",
            "cost": 1 + 4 * n,
            "budget": budget,
        }


async def test_the_validation_cache_still_hits(
    gql, platform, world, owner_engine, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    """The budget differs from caller to caller; validation must not: the same document sent by
    callers with different budgets is validated once (strawberry's cache), compiled once."""
    compiled: list[str] = []
    original = cost_module.compile_document

    def counting(*args: Any) -> Any:
        compiled.append("compile")
        return original(*args)

    monkeypatch.setattr(cost_module, "compile_document", counting)
    cache = _get_validate_cache(DEFAULT_MAXSIZE)
    _, client_id = await create_client(owner_engine, world)
    callers = [
        world.tokens["viewer"],
        None,
        client_token(platform, world, "viewer", client_id),
        world.tokens["viewer"],
    ]
    unique = f"q{uuid.uuid4().hex}"
    cheap = f"{{ {unique}: roles {{ name }} }}"
    costly = (
        f"{{ {unique}: users(first: 200) {{ edges {{ node {{ roleBindings {{ role }} }} }} }} }}"
    )
    for text in (cheap, costly):
        before = cache.cache_info()
        for token in callers:
            await gql(text, token=token)
        after = cache.cache_info()
        assert (after.misses - before.misses, after.hits - before.hits) == (1, len(callers) - 1)
    assert compiled == ["compile", "compile"]
