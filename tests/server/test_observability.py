"""Logs, request ids, /metrics and traces (server/observability), over the real app."""

from __future__ import annotations

import io
import json
import logging
import os
import re
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import sqlalchemy as sa
from prometheus_client.parser import text_string_to_metric_families
from pydantic import ValidationError
from sqlalchemy.ext.asyncio import AsyncEngine

from partyplan.models.warnings import WARNING_KINDS
from partyplan.server.app import create_app
from partyplan.server.observability import configure_logging, tracing
from partyplan.server.observability.checks import record_tally_check
from partyplan.server.observability.context import accepted_request_id
from partyplan.server.observability.metrics import OperationNames
from partyplan.server.platform import Platform
from partyplan.server.settings import Settings

UNITS = "query Units { units(first: 5) { edges { node { name } } } }"
METRICS_TOKEN = "scrape-me-0123456789"
HEX_ID = re.compile(r"[0-9a-f]{32}")


@pytest.fixture
def log_lines() -> Iterator[Callable[[Any], io.StringIO]]:
    """Configure logging as ``serve`` does, into a buffer; the root logger is put back after."""
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level

    def configure(settings: Any) -> io.StringIO:
        buffer = io.StringIO()
        configure_logging(settings, buffer)
        return buffer

    yield configure
    root.handlers[:] = handlers
    root.setLevel(level)


def tallies_verify(owner_url: str, settings: Settings) -> subprocess.CompletedProcess:
    """``partyplan tallies verify`` against the test database, as an operator runs it."""
    env = dict(os.environ)
    env.update(
        PARTYPLAN_DATABASE_URL=owner_url,
        PARTYPLAN_KEY_DIR=str(settings.resolved_key_dir),
        PARTYPLAN_DATA_DIR=str(Path(settings.data_dir)),
    )
    return subprocess.run(
        [sys.executable, "-m", "partyplan.server.cli", "tallies", "verify"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def json_lines(buffer: io.StringIO, logger: str | None = None) -> list[dict[str, Any]]:
    lines = [json.loads(line) for line in buffer.getvalue().splitlines() if line.strip()]
    return [line for line in lines if logger is None or line["logger"] == logger]


def samples(text: str) -> dict[tuple[str, frozenset[tuple[str, str]]], float]:
    return {
        (sample.name, frozenset(sample.labels.items())): sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
    }


def sample(found: dict, name: str, **labels: str) -> float | None:
    return found.get((name, frozenset(labels.items())))


async def scrape(http: httpx.AsyncClient, token: str | None = None) -> httpx.Response:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return await http.get("/metrics", headers=headers)


# --- logs and request ids --------------------------------------------------------------------


async def test_production_access_lines_are_json_with_the_request_fields(
    open_app: Callable[..., Any], world: Any, log_lines: Callable[[Any], io.StringIO]
) -> None:
    _, http = await open_app(environment="production")
    buffer = log_lines(Settings(environment="production"))
    response = await http.post(
        "/graphql",
        json={"query": UNITS},
        headers={"Authorization": f"Bearer {world.tokens['school_admin']}"},
    )
    assert response.status_code == 200 and "errors" not in response.json()
    [line] = json_lines(buffer, "partyplan.access")
    assert line["request_id"] == response.headers["X-Request-ID"]
    assert HEX_ID.fullmatch(line["request_id"])
    assert (line["method"], line["path"], line["status"]) == ("POST", "/graphql", 200)
    assert (line["user"], line["operation"], line["outcome"]) == (
        str(world.users["school_admin"]),
        "Units",
        "ok",
    )
    assert line["address"] == "127.0.0.1" and "client" not in line  # no OAuth2 client
    assert isinstance(line["duration_ms"], float) and line["duration_ms"] >= 0
    assert line["level"] == "info" and line["time"].endswith("Z")
    assert line["message"].startswith("POST /graphql 200 ")


async def test_development_lines_are_text_and_probes_are_debug(
    client: httpx.AsyncClient, log_lines: Callable[[Any], io.StringIO]
) -> None:
    quiet = log_lines(Settings())
    await client.get("/nowhere")
    assert quiet.getvalue() == ""  # development logs warnings and above unless told
    buffer = log_lines(Settings(log_level="info"))
    await client.get("/healthz", headers={"X-Request-ID": "probe-1"})
    await client.get("/nowhere/%0Aforged", headers={"X-Request-ID": "lost-1"})
    text = buffer.getvalue()
    assert "probe-1" not in text  # a successful probe is a DEBUG line
    # The newline in the path is escaped, not the start of a forged line.
    [line] = [line for line in text.splitlines() if "partyplan.access" in line]
    assert not any(other.startswith("forged") for other in text.splitlines())
    assert "partyplan.access: GET /nowhere/\\nforged 404" in line and "request_id=lost-1" in line
    buffer = log_lines(Settings(log_level="debug"))
    await client.get("/healthz", headers={"X-Request-ID": "probe-2"})
    assert "GET /healthz 200" in buffer.getvalue() and "request_id=probe-2" in buffer.getvalue()


@pytest.mark.parametrize(
    ("given", "kept"),
    [
        ("lb-7f3a/42:x", True),
        ("x" * 128, True),
        ("x" * 129, False),
        ("has space", False),
        ("tab\there", False),
        ("", False),
        ("请求", False),
    ],
)
def test_a_request_id_is_kept_only_when_printable_ascii_and_short(given: str, kept: bool) -> None:
    made = accepted_request_id(given.encode() or None)
    assert (made == given) is kept
    if not kept:
        assert HEX_ID.fullmatch(made)


async def test_the_request_id_is_echoed(client: httpx.AsyncClient) -> None:
    given = await client.get("/healthz", headers={"X-Request-ID": "abc-123"})
    assert given.headers["X-Request-ID"] == "abc-123"
    refused = await client.get("/healthz", headers={"X-Request-ID": "a b"})
    made = await client.get("/healthz")
    assert HEX_ID.fullmatch(refused.headers["X-Request-ID"])
    assert HEX_ID.fullmatch(made.headers["X-Request-ID"])
    assert made.headers["X-Request-ID"] != refused.headers["X-Request-ID"]


async def test_an_internal_server_error_carries_the_request_id_the_log_has(
    open_app: Callable[..., Any],
    world: Any,
    monkeypatch: pytest.MonkeyPatch,
    log_lines: Callable[[Any], io.StringIO],
) -> None:
    from partyplan.resolvers.units import service

    async def boom(*args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(service, "units_page", boom)
    _, http = await open_app(environment="production")
    buffer = log_lines(Settings(environment="production"))
    response = await http.post(
        "/graphql",
        json={"query": UNITS},
        headers={
            "Authorization": f"Bearer {world.tokens['school_admin']}",
            "X-Request-ID": "quote-me-42",
        },
    )
    [error] = response.json()["errors"]
    assert error["extensions"] == {"code": "INTERNAL_SERVER_ERROR", "requestId": "quote-me-42"}
    assert response.headers["X-Request-ID"] == "quote-me-42"
    [logged] = [line for line in json_lines(buffer) if "exception" in line]
    assert logged["request_id"] == "quote-me-42" and "disk on fire" in logged["exception"]
    [access] = json_lines(buffer, "partyplan.access")
    assert (access["outcome"], access["request_id"]) == ("server_error", "quote-me-42")


async def test_an_exception_escaping_a_route_is_a_coded_500_with_the_request_id(
    client: httpx.AsyncClient, platform: Platform, monkeypatch: pytest.MonkeyPatch
) -> None:
    def boom(*args: Any) -> Any:
        raise RuntimeError("keys on fire")

    monkeypatch.setattr(platform.keys, "public_jwks", boom)
    response = await client.get("/.well-known/jwks.json", headers={"X-Request-ID": "r-500"})
    assert response.status_code == 500 and response.headers["X-Request-ID"] == "r-500"
    body = response.json()
    assert (body["code"], body["requestId"]) == ("INTERNAL_SERVER_ERROR", "r-500")
    assert "keys on fire" not in response.text

    from partyplan.server import app

    monkeypatch.setattr(app, "buckets_for", boom)  # fails before GraphQL runs
    answer = await client.post("/graphql", json={"query": UNITS})
    assert answer.status_code == 500
    [error] = answer.json()["errors"]
    assert error["extensions"] == {
        "code": "INTERNAL_SERVER_ERROR",
        "requestId": answer.headers["X-Request-ID"],
    }


# --- metrics ---------------------------------------------------------------------------------


async def test_metrics_count_operations_outcomes_latency_and_the_pool(
    client: httpx.AsyncClient, platform: Platform, world: Any
) -> None:
    admin = {"Authorization": f"Bearer {world.tokens['school_admin']}"}
    for _ in range(2):
        await client.post("/graphql", json={"query": UNITS}, headers=admin)
    await client.post("/graphql", json={"query": "query Bad { nothing }"}, headers=admin)
    refused = """mutation Refused($p: ID!) { createUnit(input: {parentId: $p, kind: BRANCH,
      name: "  "}) { unit { id } errors { code } } }"""
    body = await client.post(
        "/graphql", json={"query": refused, "variables": {"p": world.gid("A")}}, headers=admin
    )
    assert body.json()["data"]["createUnit"]["errors"], body.text
    await client.post("/graphql", content=b"x" * 300_000, headers=admin)  # 413, before routing

    response = await scrape(client)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain")
    found = samples(response.text)
    ops = "partyplan_graphql_operations_total"
    assert sample(found, ops, operation="Units", type="query", outcome="ok") == 2
    assert sample(found, ops, operation="Bad", type="query", outcome="client_error") == 1
    assert sample(found, ops, operation="Refused", type="mutation", outcome="refused") == 1
    assert sample(found, ops, operation="_unknown", type="unknown", outcome="client_error") == 1
    http = "partyplan_http_requests_total"
    assert sample(found, http, method="POST", route="/graphql", status="200") == 4
    assert sample(found, http, method="POST", route="/graphql", status="413") == 1
    latency = "partyplan_graphql_operation_duration_seconds_count"
    assert sample(found, latency, operation="Units", type="query") == 2
    bucket = "partyplan_graphql_operation_duration_seconds_bucket"
    assert sample(found, bucket, operation="Units", type="query", le="+Inf") == 2
    assert sample(found, "partyplan_db_pool_size") == platform.settings.pool_size
    assert sample(found, "partyplan_db_pool_in_use") == 0
    assert sample(found, "partyplan_database_up") == 1


async def test_metrics_read_the_open_warnings_and_the_last_tally_verification(
    owner_url: str, settings: Settings, owner_engine: AsyncEngine, world: Any, open_app: Any
) -> None:
    async with owner_engine.begin() as conn:
        for key in ("a", "b"):
            await conn.execute(
                sa.text(
                    "INSERT INTO warnings (kind, dedupe_key, unit_id, unit_path, school_id,"
                    " message, evidence, seen_on) SELECT 'missing_data', :k, id, path,"
                    " school_id, '预警', '{}'::jsonb, '2024-07-01' FROM units WHERE id = :u"
                ),
                {"k": key, "u": world.units["A1a" if key == "a" else "C"]},
            )
        await conn.execute(
            sa.text("UPDATE warning_tallies SET open_count = 3 WHERE unit_id = :u"),
            {"u": world.units["A1"]},
        )
    try:
        verify = tallies_verify(owner_url, settings)
        assert verify.returncode == 1, verify.stdout + verify.stderr
        _, http = await open_app()
        found = samples((await scrape(http)).text)
        # Both schools' warnings, though the service role sees no school's rows by itself.
        assert sample(found, "partyplan_open_warnings", kind="missing_data") == 2
        assert all(
            sample(found, "partyplan_open_warnings", kind=k) is not None for k in WARNING_KINDS
        )
        differing = verify.stdout.count("open warnings: ")
        assert differing > 0
        assert sample(found, "partyplan_tallies_drift", tallies="warnings") == differing
        assert sample(found, "partyplan_tallies_drift", tallies="rollups") == 0
        verified = sample(found, "partyplan_tallies_verified_timestamp_seconds", tallies="rollups")
        assert verified is not None and verified > 1.7e9
    finally:
        async with owner_engine.begin() as conn:
            await conn.execute(sa.text("DELETE FROM tally_checks"))


async def test_database_figures_are_cached_between_scrapes(
    open_app: Callable[..., Any], owner_engine: AsyncEngine
) -> None:
    app, http = await open_app()
    metrics = app.state.observability.metrics
    try:
        await scrape(http)
        async with owner_engine.begin() as conn:
            await record_tally_check(conn, "rollups", 5)
        cached = samples((await scrape(http)).text)
        assert sample(cached, "partyplan_tallies_drift", tallies="rollups") is None
        metrics.cache_seconds = 0
        fresh = samples((await scrape(http)).text)
        assert sample(fresh, "partyplan_tallies_drift", tallies="rollups") == 5
    finally:
        async with owner_engine.begin() as conn:
            await conn.execute(sa.text("DELETE FROM tally_checks"))


async def test_rate_limit_refusals_are_counted_by_client(
    open_app: Callable[..., Any], platform: Platform, owner_engine: AsyncEngine, world: Any
) -> None:
    async with owner_engine.begin() as conn:
        await conn.execute(
            sa.text(
                "INSERT INTO oauth_clients (client_id, name, kind, allowed_scopes, unit_id,"
                " unit_path, cost_budget, requests_per_minute, redirect_uris)"
                " SELECT 'ops-board', 'ops', 'front_end', '{read}', id, path, 100000, 1,"
                " '{https://ops.example/cb}' FROM units WHERE id = :c"
            ),
            {"c": world.units["commission"]},
        )
    _, http = await open_app(rate_anonymous_per_minute=1, rate_user_per_minute=2)
    subject = str(world.users["commission_admin"])
    callers = {
        "anonymous": None,
        "direct": world.tokens["school_admin"],
        "ops-board": platform.tokens.mint(subject, 600, client_id="ops-board", scope="read"),
    }
    for token in callers.values():
        headers = {} if token is None else {"Authorization": f"Bearer {token}"}
        answers = [
            await http.post("/graphql", json={"query": "{ __typename }"}, headers=headers)
            for _ in range(4)
        ]
        assert 429 in [a.status_code for a in answers]
    found = samples((await scrape(http)).text)
    # The anonymous and the client's bucket hold 1 a minute, the user's 2.
    counts = {who: sample(found, "partyplan_rate_limited_total", client=who) for who in callers}
    assert counts == {"anonymous": 3, "direct": 2, "ops-board": 3}
    ops = "partyplan_graphql_operations_total"
    assert sample(found, ops, operation="_unknown", type="unknown", outcome="rate_limited") == 8


def test_operation_names_from_clients_are_bounded() -> None:
    names = OperationNames(limit=2)
    assert [names.label(n) for n in ("A", "B", "C", "A", None, "not a name")] == [
        "A",
        "B",
        "_other",
        "A",
        "_anonymous",
        "_invalid",
    ]


async def test_metrics_are_refused_in_production_without_the_token(
    open_app: Callable[..., Any],
) -> None:
    _, closed = await open_app(environment="production")
    refused = await scrape(closed)
    assert refused.status_code == 403
    assert refused.json()["code"] == "FORBIDDEN"
    assert "partyplan_" not in refused.text

    _, guarded = await open_app(environment="production", metrics_token=METRICS_TOKEN)
    for token in (None, "wrong-token-0123456789", METRICS_TOKEN + "x"):
        answer = await scrape(guarded, token)
        assert answer.status_code == 401 and "partyplan_" not in answer.text
        assert answer.headers["WWW-Authenticate"].startswith("Bearer")
    served = await scrape(guarded, METRICS_TOKEN)
    assert served.status_code == 200 and "partyplan_http_requests_total" in served.text


async def test_development_metrics_are_open_unless_a_token_is_set(
    client: httpx.AsyncClient, open_app: Callable[..., Any]
) -> None:
    assert (await scrape(client)).status_code == 200
    _, guarded = await open_app(metrics_token=METRICS_TOKEN)
    assert (await scrape(guarded)).status_code == 401


def test_observability_settings_are_validated(monkeypatch: pytest.MonkeyPatch) -> None:
    assert Settings(log_level="WARNING").log_level == "warning"
    for bad in ({"log_level": "loud"}, {"log_format": "xml"}, {"metrics_token": "short"}):
        with pytest.raises(ValidationError):
            Settings(**bad)
    monkeypatch.setitem(tracing.EXPORTER_MODULES, "otlp", "partyplan_no_such_module.exporter")
    with pytest.raises(ValidationError, match=r"partyplan\[tracing\]"):
        Settings(otel_exporter="otlp")


# --- traces ----------------------------------------------------------------------------------


async def test_a_request_is_a_server_span_continuing_the_callers_trace(
    settings: Settings, platform: Platform, world: Any, log_lines: Callable[[Any], io.StringIO]
) -> None:
    memory = pytest.importorskip("opentelemetry.sdk.trace.export.in_memory_span_exporter")
    exported = memory.InMemorySpanExporter()
    app = create_app(platform, manage_platform=False)
    traced = tracing.Tracing(Settings(otel_exporter="console"), exporter=exported)
    app.state.observability.tracing = traced
    buffer = log_lines(Settings(log_format="json", log_level="info"))
    caller_trace = "4bf92f3577b34da6a3ce929d0e0e4736"
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://test"
    ) as http:
        await http.post(
            "/graphql",
            json={"query": UNITS},
            headers={
                "Authorization": f"Bearer {world.tokens['school_admin']}",
                "traceparent": f"00-{caller_trace}-00f067aa0ba902b7-01",
                "X-Request-ID": "traced-1",
            },
        )
    traced.provider.force_flush()
    [span] = exported.get_finished_spans()
    assert span.name == "POST /graphql"
    assert format(span.context.trace_id, "032x") == caller_trace
    attributes = dict(span.attributes or {})
    assert attributes["partyplan.request_id"] == "traced-1"
    assert attributes["graphql.operation.name"] == "Units"
    assert attributes["http.response.status_code"] == 200
    [line] = json_lines(buffer, "partyplan.access")
    assert line["trace_id"] == caller_trace
    traced.close()
