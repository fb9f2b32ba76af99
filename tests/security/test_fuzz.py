"""A schema-driven fuzzer: every query and mutation of the published schema, its arguments filled
from their types (tests/support_fuzz.py), each scalar place in turn given a hostile value (NUL,
lone surrogates, control and bidi characters, huge integers, IDs that are no IDs of ours), sent
through the real app with a commission administrator's token and with none; then request bodies
that are no JSON, or no UTF-8.

Whatever is sent: no HTTP 5xx; every answer is JSON; every error carries an ``extensions.code``
of the documented list (``schema.errors.ERROR_CODES``), never ``INTERNAL_SERVER_ERROR``; a
request answered with any error wrote nothing; and no control or bidi character is stored
anywhere. Seeded (``FUZZ_SEED``): a failure names its seed, and every request that failed."""

from __future__ import annotations

import json
import logging
import os
import random
from datetime import date
from typing import Any
from urllib.parse import quote

import httpx
import pytest
import sqlalchemy as sa
from graphql import GraphQLField, GraphQLNonNull
from support import gid
from support_fuzz import HOSTILE_IDS, Database, Values, document, leaves
from support_inputs import graphql_schema
from support_plan_tree import ISSUE, PERIOD, PUBLISH
from support_records import Records
from support_recruits import create

from partyplan.schema.errors import ERROR_CODES, UNCHECKED

SEED = int(os.environ.get("FUZZ_SEED", "21009"))
#: Hostile values tried at each place of each operation's arguments.
ROUNDS = int(os.environ.get("FUZZ_ROUNDS", "2"))

#: The table of each kind of object an ID may name (units by their kind besides).
TABLE_OF = {
    "User": "users",
    "RoleBinding": "role_bindings",
    "PlanPeriod": "plan_periods",
    "Recruit": "recruits",
    "RecruitStep": "recruit_steps",
    "Member": "members",
    "OAuthClient": "oauth_clients",
    "ExecutionReport": "execution_reports",
    "ReconciliationReport": "reconciliation_reports",
    "Warning": "warnings",
    "TalentFiling": "talent_filings",
    "DispatchRound": "dispatch_rounds",
    "QuotaMovement": "quota_movements",
    "DataCall": "data_calls",
}


async def _objects(gql: Any, world: Any) -> None:
    """A published period with a plan issued, and a recruit, besides the world's objects."""
    admin = world.tokens["commission_admin"]
    created = await gql(PERIOD, {"c": world.gid("commission")}, admin)
    period = created["data"]["createPlanPeriod"]["period"]["id"]
    await gql(PUBLISH, {"p": period}, admin)
    await gql(ISSUE, {"p": period, "s": world.gid("A"), "t": 20}, admin)
    await create(gql, world)


async def _ids(world: Any, owner_engine: Any) -> dict[str, list[str]]:
    """Global IDs of what exists now, by type, and units by kind; never the fuzzing
    administrator's own account or binding (revoking one's own role would end the run's reach)."""
    own = {
        "User": world.users["commission_admin"],
        "RoleBinding": world.bindings["commission_admin"],
    }
    ids: dict[str, list[str]] = {}
    async with owner_engine.connect() as conn:
        for kind, table in TABLE_OF.items():
            rows = (await conn.execute(sa.text(f"SELECT id FROM {table} ORDER BY id"))).scalars()
            ids[kind] = [gid(kind, row) for row in rows if row != own.get(kind)]
        units = await conn.execute(
            sa.text(
                "SELECT id, kind FROM units WHERE path <@ (SELECT path FROM units WHERE id = :c)"
            ),
            {"c": world.units["commission"]},
        )
        for row in units:
            ids.setdefault("Unit", []).append(gid("Unit", row.id))
            ids.setdefault(row.kind, []).append(gid("Unit", row.id))
    return ids


#: Run last: what would leave the rest nothing to work on (a closed period, a moved unit).
DESTRUCTIVE = ("close", "deactivate", "disable", "revoke", "cancel", "move")


def _operations() -> list[tuple[str, str, GraphQLField]]:
    schema = graphql_schema()
    assert schema.query_type is not None and schema.mutation_type is not None
    queries = [("query", n, f) for n, f in sorted(schema.query_type.fields.items())]
    mutations = sorted(
        (("mutation", n, f) for n, f in schema.mutation_type.fields.items()),
        key=lambda m: (m[1].startswith(DESTRUCTIVE), m[1]),
    )
    return queries + mutations


def _cases(values: Values, name: str, field: GraphQLField) -> list[tuple[str, dict[str, Any]]]:
    """The required arguments, plausible; then each scalar place of every argument (optional
    ones included, three levels deep) given a hostile value, one place a request."""
    hints = {arg: name if arg == "id" else arg for arg in field.args}
    minimal = {
        arg: values.plausible(spec.type, hints[arg])
        for arg, spec in field.args.items()
        if isinstance(spec.type, GraphQLNonNull)
    }
    cases = [("plausible", minimal)]
    for arg, spec in field.args.items():
        full = values.plausible(spec.type, hints[arg], full=True)
        start = minimal[arg] if arg in minimal else values.plausible(spec.type, hints[arg])
        for leaf in leaves(full, spec.type, hints[arg]):
            for _ in range(ROUNDS):
                bad = values.hostile(leaf.kind)
                where = ".".join(map(str, (arg, *leaf.path)))
                variables = {**minimal, arg: values.with_leaf(start, spec.type, leaf.path, bad)}
                cases.append((f"{where}={bad!r:.60}", variables))
    return cases


def _requests(
    values: Values, operation: str, name: str, field: GraphQLField, token: str
) -> list[tuple[str, str, dict[str, Any], str | None]]:
    """(label, document, variables, token) of every request for one root field: each case with
    the token; two without; and for a mutation, a plausible call beside a hostile one in one
    document, which must be written whole or not at all."""
    text = document(operation, name, field)
    cases = _cases(values, name, field)
    requests = [(label, text, variables, token) for label, variables in cases]
    for label, variables in values.rng.sample(cases, min(2, len(cases))):
        requests.append((label, text, variables, None))
    if operation == "mutation" and len(cases) > 1:
        label, hostile = values.rng.choice(cases[1:])
        pair = {f"a_{k}": v for k, v in cases[0][1].items()}
        pair |= {f"b_{k}": v for k, v in hostile.items()}
        requests.append((f"beside {label}", document(operation, name, field, "ab"), pair, token))
    return requests


def _failed(result: dict[str, Any]) -> bool:
    """Any GraphQL error, or a payload's typed errors."""
    if result.get("errors"):
        return True
    data = result.get("data") or {}
    return any(isinstance(v, dict) and v.get("errors") for v in data.values())


def problems_of(label: str, response: httpx.Response) -> list[str]:
    if response.status_code >= 500:
        return [f"{label}: HTTP {response.status_code}: {response.text[:300]}"]
    if not response.headers.get("content-type", "").startswith("application/json"):
        return [f"{label}: not JSON (HTTP {response.status_code}): {response.text[:300]}"]
    found = []
    for error in response.json().get("errors") or []:
        code = (error.get("extensions") or {}).get("code")
        if code not in ERROR_CODES or code == "INTERNAL_SERVER_ERROR":
            found.append(f"{label}: code {code!r}: {error.get('message', '')[:300]}")
    return found


async def _send(client: httpx.AsyncClient, body: Any, token: str | None) -> httpx.Response:
    headers = {"Content-Type": "application/json"}
    if token is not None:
        headers["Authorization"] = f"Bearer {token}"
    # ensure_ascii: a lone surrogate travels as its JSON escape, as a client would send it.
    return await client.post("/graphql", content=json.dumps(body).encode(), headers=headers)


async def test_no_input_makes_a_server_error(
    client, world, gql, owner_engine, platform, monkeypatch, caplog
) -> None:  # type: ignore[no-untyped-def]
    # A thousand requests a minute from one caller: the rate limits are tested elsewhere.
    monkeypatch.setattr(platform.settings, "rate_user_per_minute", 0)
    monkeypatch.setattr(platform.settings, "rate_anonymous_per_minute", 0)
    caplog.set_level(logging.WARNING, "partyplan.graphql")
    rng = random.Random(SEED)
    await _objects(gql, world)
    database = Database(owner_engine)
    token = world.tokens["commission_admin"]
    problems: list[str] = []
    sent = 0
    before = await database.fingerprint()
    for operation, name, field in _operations():
        values = Values(rng, await _ids(world, owner_engine))
        for label, text, variables, caller in _requests(values, operation, name, field, token):
            where = f"{name} {label}{'' if caller else ' (no token)'}"
            response = await _send(client, {"query": text, "variables": variables}, caller)
            sent += 1
            if os.environ.get("FUZZ_VERBOSE"):
                print(where[:120], "->", response.status_code, response.text[:250])
            found = problems_of(where, response)
            problems += found
            if found:
                continue
            after = await database.fingerprint()
            if _failed(response.json()) and after != before:
                problems.append(f"{where}: failed, yet wrote: {response.text[:300]}")
            before = after
    problems += await database.unsafe_text()
    # Answered BAD_USER_INPUT, but without naming its field: an input to route through a check.
    problems += [r.getMessage() for r in caplog.records if UNCHECKED in r.getMessage()]
    assert not problems, f"FUZZ_SEED={SEED}, {sent} requests:\n" + "\n".join(problems)


UNITS = b'{"query": "query($n: Int, $f: Float) { units(first: $n) { totalCount } }"'
#: Bodies that are no GraphQL request: not UTF-8, not JSON, JSON of another shape, JSON's
#: non-standard constants, and content types the endpoint does not take.
RAW_BODIES: list[tuple[str, bytes, str]] = [
    ("invalid UTF-8", b'{"query": "{ units { totalCount } }\xff\xfe"}', "application/json"),
    ("overlong UTF-8 NUL", b'{"query": "{ me { __typename } }\xc0\x80"}', "application/json"),
    ("UTF-8 surrogate bytes", b'{"query": "\xed\xa0\x80"}', "application/json"),
    ("UTF-16", '{"query": "{ me { __typename } }"}'.encode("utf-16"), "application/json"),
    (
        "Latin-1 declared",
        b'{"query": "{ me { __typename } }"}',
        "application/json; charset=latin-1",
    ),
    ("not JSON", b"query { units { totalCount } }", "application/json"),
    ("truncated JSON", b'{"query": "{ units', "application/json"),
    ("empty body", b"", "application/json"),
    ("JSON array", b"[1, 2, 3]", "application/json"),
    ("JSON string", b'"{ me { __typename } }"', "application/json"),
    ("JSON null", b"null", "application/json"),
    ("NaN variable", UNITS + b', "variables": {"f": NaN}}', "application/json"),
    ("Infinity variable", UNITS + b', "variables": {"n": Infinity}}', "application/json"),
    ("huge integer", UNITS + b', "variables": {"n": 1' + b"0" * 5000 + b"}}", "application/json"),
    ("deep nesting", b'{"variables": ' + b"[" * 5000 + b"]" * 5000 + b"}", "application/json"),
    ("duplicate keys", b'{"query": 1, "query": "{ me { __typename } }"}', "application/json"),
    ("text/plain", b'{"query": "{ me { __typename } }"}', "text/plain"),
    ("no content type", b'{"query": "{ me { __typename } }"}', ""),
    ("form", b"query=%7B%20me%20%7B%20__typename%20%7D%20%7D", "application/x-www-form-urlencoded"),
    (
        "broken multipart",
        b"--x\r\nContent-Disposition: form-data\r\n\r\n",
        "multipart/form-data; boundary=x",
    ),
    ("multipart without boundary", b"garbage", "multipart/form-data"),
]


@pytest.mark.parametrize("anonymous", [False, True], ids=["token", "no token"])
async def test_no_body_makes_a_server_error(client, world, anonymous) -> None:  # type: ignore[no-untyped-def]
    problems = []
    for label, raw, kind in RAW_BODIES:
        headers = {"Content-Type": kind} if kind else {}
        if not anonymous:
            headers["Authorization"] = f"Bearer {world.tokens['commission_admin']}"
        response = await client.post("/graphql", content=raw, headers=headers)
        problems += problems_of(label, response)
    for method in ("PUT", "DELETE", "PATCH"):
        problems += problems_of(method, await client.request(method, "/graphql"))
    assert not problems, "\n".join(problems)


#: The download routes, each with one place for a hostile value (path segments percent-encoded).
DOWNLOADS = [
    "/reports/{}.xlsx",
    "/reports/periods/{}/province.xlsx",
    "/exports/12371/{}.xlsx",
    "/exports/12371/{school}.xlsx?periodId={}",
    "/exports/12371/{school}.xlsx?stage={}",
    "/reports/periods/{period}/province.xlsx?token={}",
    "/datacalls/{}.xlsx",
    "/ledgers/{}.xlsx",
    "/attachments/{}",
    "/attachments/1?token={}",
    "/archives/{}.zip",
]
SEGMENTS = [  # not the empty one: a URL of no route at all is the router's plain 404
    *(i for i in HOSTILE_IDS if i),
    "99999999999999999999",
    "9223372036854775808",
    "-1",
    "²",
    "١٢",
    "\u0000",
    "\udfff",
    "\u202e1",
]


@pytest.mark.parametrize("anonymous", [False, True], ids=["token", "no token"])
async def test_no_download_url_makes_a_server_error(client, world, owner_engine, anonymous) -> None:  # type: ignore[no-untyped-def]
    period = await Records(owner_engine, world).period(date(2024, 1, 1), date(2024, 12, 31))
    headers = {} if anonymous else {"Authorization": f"Bearer {world.tokens['commission_admin']}"}
    problems = []
    for url in DOWNLOADS:
        for segment in SEGMENTS:
            raw = segment.encode("utf-8", "surrogatepass")
            path = url.format(quote(raw, safe=""), school=world.units["A"], period=period)
            response = await client.get(path, headers=headers)
            if response.status_code >= 500:
                problems.append(f"{path}: HTTP {response.status_code}: {response.text[:200]}")
            elif response.status_code >= 400:
                kind = response.headers.get("content-type", "")
                code = response.json().get("code") if kind.startswith("application/json") else None
                if code not in ERROR_CODES:
                    problems.append(f"{path}: HTTP {response.status_code}, code {code!r}")
    assert not problems, "\n".join(problems)
