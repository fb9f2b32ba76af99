"""The floor: the read scenarios' SQL behind a minimal starlette + asyncpg app (no GraphQL, no
ORM), served by uvicorn with the same workers as our service.

    uvicorn partyplan.bench.runner.floor:create --factory --workers 2

It keeps our service's discipline, so the difference between the two is the framework alone:
the bearer token is verified with the same keys; every request is one transaction on one
pooled connection, bound to the principal by ``app_bind_principal`` (transaction-scoped
``set_config``), as the service role, so row-level security applies equally.

The pool's reset is decided, not inherited: asyncpg runs ``SELECT pg_advisory_unlock_all();
CLOSE ALL; UNLISTEN *; RESET ALL`` on every release — a second round trip per request — to
undo session state. Nothing here leaves any: the settings are transaction-local, and there
are no cursors, listeners or advisory locks. So the floor passes a reset that does nothing
(asyncpg still rolls back a transaction left open, without a round trip when there is none).
``PARTYPLAN_BENCH_FLOOR_RESET=default`` restores asyncpg's reset to measure what it costs.

Configuration (environment, set by the runner): ``PARTYPLAN_BENCH_FLOOR_DSN`` (the service
role's libpq URL), ``PARTYPLAN_KEY_DIR`` or ``PARTYPLAN_DATA_DIR`` (the signing key),
``PARTYPLAN_BENCH_FLOOR_POOL`` (connections per worker, default 20).
"""

from __future__ import annotations

import contextlib
import json
import os
from collections.abc import AsyncIterator
from datetime import date, datetime
from typing import Any

import asyncpg
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from partyplan.auth.tokens import TokenError, TokenService
from partyplan.models.rollups import PERIOD_FIGURES
from partyplan.server.settings import Settings

from . import floor_sql as sql

PAGE = 50


async def _no_reset(connection: asyncpg.Connection) -> None:
    """Every setting is transaction-local: nothing survives a request to be reset."""


class Statements:
    """The scenarios' statements in asyncpg form, with their parameter names."""

    def __init__(self) -> None:
        self.compiled = {
            name: [sql.to_dollar(text) for text in texts] for name, texts in sql.STATEMENTS.items()
        }

    def args(self, scenario: str, index: int, values: dict[str, Any]) -> tuple[str, list[Any]]:
        text, names = self.compiled[scenario][index]
        return text, [values[n] for n in names]


def _paths(bindings: list[asyncpg.Record], permission: str) -> list[str]:
    """Where the principal holds ``permission`` (Principal.paths_with)."""
    return [
        str(b["unit_path"]) for b in bindings if b["permissions"] and permission in b["permissions"]
    ]


def _json_default(value: Any) -> Any:
    if isinstance(value, date | datetime):
        return value.isoformat()
    raise TypeError(type(value).__name__)


def _respond(data: Any) -> Response:
    body = json.dumps({"data": data}, ensure_ascii=False, default=_json_default)
    return Response(body, media_type="application/json")


def _q1_line(row: asyncpg.Record) -> dict[str, Any]:
    """The fields the Q1 document asks for (RollupLine), from the repository's row."""
    plan = row["handed_total"] if row["unit_kind"] == "commission" else row["received_total"]
    line = {
        "unit_id": row["unit_id"],
        "unit_name": row["unit_name"],
        "unit_kind": row["unit_kind"],
        "plan": plan,
        "completion_rate": round(row["admitted"] / plan, 4) if plan else None,
    }
    line.update({f: row[f] for f in PERIOD_FIGURES})
    return line


async def _q1(con: asyncpg.Connection, st: Statements, v: dict[str, Any], _: list) -> Any:  # type: ignore[type-arg]
    rows = await con.fetch(*_flat(st.args("Q1", 1, v)))
    return {"line": _q1_line(rows[0]), "children": [_q1_line(r) for r in rows[1:]]}


async def _q1_live(con: asyncpg.Connection, st: Statements, v: dict[str, Any], _: list) -> Any:  # type: ignore[type-arg]
    return [dict(r) for r in await con.fetch(*_flat(st.args("Q1-live", 1, v)))]


async def _q2(con: asyncpg.Connection, st: Statements, v: dict[str, Any], _: list) -> Any:  # type: ignore[type-arg]
    own = await con.fetchrow(*_flat(st.args("Q2", 1, v)))
    children = [dict(r) for r in await con.fetch(*_flat(st.args("Q2", 2, v)))]
    admitted = {r["id"]: r["admitted"] for r in await con.fetch(*_flat(st.args("Q2", 3, v)))}
    for child in children:
        child["admitted"] = admitted.get(child["unit_id"], 0)
    line = dict(own) if own is not None else {}
    line["admitted"] = admitted.get(v["unit"], 0)
    return {"line": line, "children": children}


async def _under(
    con: asyncpg.Connection, st: Statements, name: str, v: dict[str, Any]
) -> int | None:
    """The school of the unit a list is under; None when row-level security hides it."""
    return await con.fetchval(*_flat(st.args(name, 1, v)))


async def _q3(con: asyncpg.Connection, st: Statements, v: dict[str, Any], binds: list) -> Any:  # type: ignore[type-arg]
    under_school = await _under(con, st, "Q3", v)
    if under_school is None:
        return []
    v = {
        **v,
        "paths": _paths(binds, "recruit.read"),
        "under_school": under_school,
        "limit": PAGE + 1,
    }
    rows = [dict(r) for r in await con.fetch(*_flat(st.args("Q3", 2, v)))][:PAGE]
    findings: dict[int, list[dict[str, Any]]] = {r["id"]: [] for r in rows}
    for f in await con.fetch(*_flat(st.args("Q3", 3, {"recruits": list(findings)}))):
        findings[f["recruit_id"]].append(dict(f))
    for r in rows:
        r["findings"] = findings[r["id"]]
    return rows


async def _q4(con: asyncpg.Connection, st: Statements, v: dict[str, Any], binds: list) -> Any:  # type: ignore[type-arg]
    under_school = await _under(con, st, "Q4", v)
    if under_school is None:
        return []
    v = {**v, "paths": _paths(binds, "plan.read"), "under_school": under_school, "limit": PAGE + 1}
    return [dict(r) for r in await con.fetch(*_flat(st.args("Q4", 2, v)))][:PAGE]


def _flat(args: tuple[str, list[Any]]) -> list[Any]:
    return [args[0], *args[1]]


HANDLERS = {"Q1": _q1, "Q1-live": _q1_live, "Q2": _q2, "Q3": _q3, "Q4": _q4}


def create() -> Starlette:
    """The app (a uvicorn factory: each worker builds its own pool in its lifespan)."""
    settings = Settings()
    tokens = TokenService.from_settings(settings)
    dsn = os.environ["PARTYPLAN_BENCH_FLOOR_DSN"]
    size = int(os.environ.get("PARTYPLAN_BENCH_FLOOR_POOL", "20"))
    reset = None if os.environ.get("PARTYPLAN_BENCH_FLOOR_RESET") == "default" else _no_reset
    statements = Statements()
    state: dict[str, asyncpg.Pool] = {}

    async def _init(connection: asyncpg.Connection) -> None:
        await connection.set_type_codec(
            "jsonb", encoder=json.dumps, decoder=json.loads, schema="pg_catalog"
        )

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        state["pool"] = await asyncpg.create_pool(
            dsn, min_size=1, max_size=size, reset=reset, init=_init
        )
        try:
            yield
        finally:
            await state["pool"].close()

    async def scenario(request: Request) -> Response:
        name = request.path_params["name"]
        handler = HANDLERS.get(name)
        if handler is None:
            return JSONResponse({"error": f"no scenario {name}"}, status_code=404)
        scheme, _, token = request.headers.get("authorization", "").partition(" ")
        try:
            user = int(tokens.verify(token.strip()).subject) if scheme.lower() == "bearer" else None
        except TokenError:
            user = None
        if user is None:
            return JSONResponse({"error": "unauthenticated"}, status_code=401)
        variables = await request.json()
        async with state["pool"].acquire() as con, con.transaction():
            binds = await con.fetch(*_flat(statements.args(name, 0, {"user": user})))
            if not binds or not binds[0]["active"]:
                return JSONResponse({"error": "unauthenticated"}, status_code=401)
            data = await handler(con, statements, variables, binds)
        return _respond(data)

    async def healthz(request: Request) -> Response:
        return JSONResponse({"status": "ok"})

    return Starlette(
        routes=[Route("/q/{name}", scenario, methods=["POST"]), Route("/healthz", healthz)],
        lifespan=lifespan,
    )
