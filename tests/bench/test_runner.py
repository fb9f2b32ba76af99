"""The benchmark runner's parts: parsers, arithmetic, rendering, and the floor app on the test
database. No timing is asserted here: benchmarks are not unit tests."""

from __future__ import annotations

import argparse
import json
import shutil
import socket
import tempfile
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from support_peers import insert_period

from partyplan.bench import runner
from partyplan.bench.runner import floor_sql, multi, pgbench, report, stats, wrk
from partyplan.bench.runner import scenarios as sc
from partyplan.server.database import app_url_from_owner

WRK_OUTPUT = """Running 1s test @ http://127.0.0.1:1/graphql
  2 threads and 4 connections
WRKJSON {"requests":120,"duration_us":1000000,"bytes":4000,"p50_us":1500,"p95_us":4200,"p99_us":9000,"mean_us":1800.5,"max_us":12000,"connect_errors":0,"read_errors":1,"write_errors":0,"timeouts":2,"status_errors":3,"failures":4,"sent":124,"sample":"200 {\\"errors\\":[{}]}"}
"""


def test_wrk_output_parsed() -> None:
    result = wrk.parse(WRK_OUTPUT)
    assert (result.requests, result.sent, result.failures, result.errors) == (120, 124, 4, 6)
    assert (result.p50_ms, result.p95_ms, result.p99_ms) == (1.5, 4.2, 9.0)
    assert result.rate == 120
    assert result.sample == '200 {"errors":[{}]}'


def test_wrk_output_without_the_line_is_an_error() -> None:
    with pytest.raises(ValueError, match="WRKJSON"):
        wrk.parse("Running 1s test\n")


def test_bodies_are_one_per_line(tmp_path: Path) -> None:
    body = json.dumps({"query": "query {\n  me { id }\n}"})
    path = wrk.write_bodies(tmp_path / "b", [body, body])
    assert path.read_text().splitlines() == [body, body]
    with pytest.raises(ValueError):
        wrk.write_bodies(tmp_path / "c", ["{\n}"])


class _Handler(BaseHTTPRequestHandler):
    """Answers every other request with a GraphQL error entry, the rest with an empty one."""

    count = 0

    def do_POST(self) -> None:  # noqa: N802 - http.server's naming
        length = int(self.headers.get("Content-Length", 0))
        self.rfile.read(length)
        _Handler.count += 1
        failed = _Handler.count % 2 == 0 or self.headers.get("Authorization") != "Bearer t"
        payload = (
            b'{"data":null,"errors": [ {"message":"x"}]}'
            if failed
            else b'{"data":{"p":{"errors":[]}}}'
        )
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def log_message(self, *args: Any) -> None:
        pass


@pytest.mark.skipif(shutil.which("wrk") is None, reason="wrk is not installed")
def test_lua_script_counts_graphql_errors_and_requests(tmp_path: Path) -> None:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        bodies = wrk.write_bodies(tmp_path / "b", ['{"a":1}', '{"a":2}', '{"a":3}'])
        url = f"http://127.0.0.1:{server.server_port}/graphql"
        checked = wrk.run(url, bodies, "t", connections=2, threads=1, seconds=1, check=True)
        unchecked = wrk.run(url, bodies, "t", connections=2, threads=1, seconds=1, check=False)
    finally:
        server.shutdown()
    assert checked.requests > 0 and checked.sent >= checked.requests
    # A payload's empty "errors": [] is no failure; a top-level error entry is.
    assert 0 < checked.failures < checked.requests
    assert '"errors"' in checked.sample
    assert unchecked.failures == 0 and unchecked.requests > 0


def test_launcher_connections_have_nagle_off() -> None:
    """A response's head and body go out in two sends; with Nagle on, the body waited ~40 ms
    for the client's delayed ACK on every keep-alive request (the wait the 2026-11-22 runs
    paid). asyncio itself turns it off only for sockets of protocol IPPROTO_TCP."""
    listener = multi.listening_socket("127.0.0.1", 0)
    with listener, socket.create_connection(listener.getsockname()[:2]) as client:
        accepted, _ = listener.accept()
        with accepted:
            assert accepted.proto == socket.IPPROTO_TCP
            assert accepted.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY) != 0
        assert client.recv(1) == b""


def test_named_parameters_become_numbered() -> None:
    text, names = floor_sql.to_dollar(
        "SELECT x::int FROM t WHERE a = :a AND b <@ CAST(:b AS ltree) OR a > :a"
    )
    assert text == "SELECT x::int FROM t WHERE a = $1 AND b <@ CAST($2 AS ltree) OR a > $1"
    assert names == ["a", "b"]


def test_every_floor_statement_binds_the_principal_first() -> None:
    for name, statements in floor_sql.STATEMENTS.items():
        assert statements[0] == floor_sql.BIND, name
        assert "Q1" in floor_sql.STATEMENTS and "Q1-live" in floor_sql.STATEMENTS


def test_pgbench_script_and_variables() -> None:
    script = pgbench.script("Q4")
    assert script.startswith("BEGIN;\nSELECT * FROM app_bind_principal(:user);\n")
    assert script.rstrip().endswith("COMMIT;")
    assert pgbench.variables({"paths": ["1.2", "1.3"], "user": 7}) == [
        "-D",
        "paths={1.2,1.3}",
        "-D",
        "user=7",
    ]


def test_pgbench_output_and_log_parsed(tmp_path: Path) -> None:
    output = (
        "transaction type: q.sql\nnumber of clients: 16\n"
        "number of transactions actually processed: 2500\n"
        "number of failed transactions: 0 (0.000%)\nlatency average = 6.4 ms\n"
        "tps = 2499.123456 (without initial connection time)\n"
    )
    assert pgbench.parse(output) == (2500, 2499.123456, 0)
    (tmp_path / "pgb.1").write_text(
        "".join(f"0 {i} {i * 1000} 0 1700000000 0\n" for i in range(1, 101))
    )
    (tmp_path / "pgb.1.1").write_text("1 1 500000 0 1700000000 0\n")
    latencies = pgbench.latencies_ms(tmp_path, "pgb")
    assert len(latencies) == 101 and max(latencies) == 500
    assert 49 <= pgbench.percentile(latencies, 50) <= 52
    assert pgbench.percentile(latencies, 99) >= 99


def test_pgbench_reads_the_socket_directory_from_the_url() -> None:
    args, env = pgbench.connection_args("postgresql://partyplan_app@/partyplan?host=/tmp/x/run")
    assert args == ["-h", "/tmp/x/run", "-p", "5432", "-U", "partyplan_app"] and env == {}
    args, env = pgbench.connection_args("postgresql://u:secret@db.example:6543/p")
    assert args[:4] == ["-h", "db.example", "-p", "6543"] and env == {"PGPASSWORD": "secret"}


def test_statement_and_cpu_arithmetic() -> None:
    later = stats.Statements(150, 40, 20) - stats.Statements(100, 20, 10)
    assert later == stats.Statements(50, 20, 10)
    # A worker born in the window counts from zero; one that grew counts its growth.
    assert stats.cpu_delta({1: 1.0, 2: 5.0}, {1: 1.5, 3: 0.25}) == pytest.approx(0.75)
    assert stats.per_request(10.0, 4) == 2.5 and stats.per_request(1.0, 0) is None
    import os

    assert stats.cpu_seconds(os.getpid()) > 0
    assert stats.cpu_seconds(os.getpid(), reaped=True) >= stats.cpu_seconds(os.getpid())


def _table() -> report.Table:
    table = report.Table("Q1", "roll-up")
    table.row(report.OURS).samples += [
        report.Sample(300, 10, 20, 30, 3000, statements=5, ends=1, xacts=1.01, rss_mb=(120, 130)),
        report.Sample(320, 11, 22, 33, 3200, statements=5, ends=1, xacts=1.02, rss_mb=(125,)),
    ]
    table.row(report.FLOOR).samples.append(report.Sample(600, 5, 9, 12, 6000, statements=2))
    table.row(report.LIVE).samples.append(report.Sample(100, 50, 90, 99, 1000, statements=2))
    table.row("postgraphile5").note = "failed: no node"
    return table


def test_tables_render_medians_and_ratios() -> None:
    table = _table()
    assert table.row(report.OURS).median("rate") == 310
    assert table.ratio(report.OURS, report.FLOOR) == pytest.approx(310 / 600)
    assert table.row(report.OURS).rss_max == 130
    text = report.render_text(table)
    assert "0.52×" in text and "3.10×" in text and "failed: no node" in text
    markdown = report.render_markdown(table)
    lines = markdown.splitlines()
    assert lines[2].startswith("| server | req/s |") and lines[3].startswith("|---|")
    assert all(line.count("|") == lines[2].count("|") for line in lines[4:])


def test_section_replaced_or_appended(tmp_path: Path) -> None:
    path = tmp_path / "BENCHMARKS.md"
    path.write_text("# Benchmarks\n\n## Roll-ups\n\nkept\n")
    report.write_section(path, "## Runs\n\nfirst")
    report.write_section(path, "## Runs\n\nsecond")
    text = path.read_text()
    assert "kept" in text and "second" in text and "first" not in text
    assert text.count(report.BEGIN) == 1 and text.count(report.END) == 1


def test_answers_reduce_to_comparable_tuples() -> None:
    line = {
        "unitId": sc.gid("Unit", 2),
        "unitName": "甲",
        "plan": 10,
        "admitted": 3,
        "admittedExempt": 1,
        "openFindings": 4,
        "structure": dict.fromkeys(
            (
                "women",
                "ethnicMinority",
                "youth35",
                "collegeEducated",
                "students",
                "staff",
                "highKnowledge",
                "professionalTechnical",
            ),
            1,
        ),
        "pipeline": dict.fromkeys(
            ("applicants", "activists", "developmentTargets", "probationary", "converted"), 2
        ),
    }
    ours = sc.normalize_ours("Q1", {"data": {"rollup": {"children": [line]}}})
    assert ours == [(2, "甲", 10, 3, 1, *(1,) * 8, *(2,) * 5, 4)]
    row = {
        "unit_id": 2,
        "unit_name": "甲",
        "plan": 10,
        "admitted": 3,
        "admitted_exempt": 1,
        **dict.fromkeys(sc.Q1_FIGURES[2:10], 1),
        **dict.fromkeys(sc.Q1_FIGURES[10:15], 2),
        "open_findings": 4,
    }
    assert sc.normalize_floor("Q1-live", {"data": [row]}) == ours
    assert sc.peer_view("Q1", ours) == [(2, 10, 3, 1, *(1,) * 8, *(2,) * 5, 4)]
    assert sc.differences(ours, ours) == []
    assert sc.differences(ours, []) == ["1 rows vs 0"]
    with pytest.raises(ValueError, match="GraphQL errors"):
        sc.normalize_ours("Q3", {"data": None, "errors": [{"message": "x"}]})


def test_run_is_registered_with_its_defaults() -> None:
    root = argparse.ArgumentParser()
    runner.add_parser(root.add_subparsers(dest="action"))
    args = root.parse_args(["run", "--scenarios", "Q1,M2"])
    assert args.scenarios == ["Q1", "M2"] and args.workers == 2 and args.connections == 16
    assert args.peers == ["postgraphile5", "postgraphile4"] and args.func is not None
    with pytest.raises(SystemExit):
        root.parse_args(["run", "--scenarios", "Q9"])


def test_profile_is_registered_for_the_read_scenarios() -> None:
    root = argparse.ArgumentParser()
    runner.add_parser(root.add_subparsers(dest="action"))
    args = root.parse_args(["profile", "--scenarios", "Q3", "--requests", "20"])
    assert args.scenarios == ["Q3"] and args.requests == 20 and args.scale == "province"
    with pytest.raises(SystemExit):
        root.parse_args(["profile", "--scenarios", "M1"])  # writes are not profiled in process


def test_profile_shares_self_time_by_layer() -> None:
    import cProfile
    import json
    import pstats

    from partyplan.bench.runner.profile import breakdown

    profiler = cProfile.Profile()
    profiler.enable()
    for _ in range(200):
        json.dumps({"a": [1, 2, 3] * 50})
    profiler.disable()
    shares = dict(breakdown(pstats.Stats(profiler)))
    assert abs(sum(shares.values()) - 1) < 1e-9
    assert shares["JSON"] > 0


# --- the floor on the test database -------------------------------------------------------------


async def test_floor_serves_the_read_scenarios_under_row_level_security(
    world: Any, owner_engine: Any, owner_url: str, settings: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    import httpx

    from partyplan.bench.runner import floor

    commission = world.units["commission"]
    async with owner_engine.begin() as conn:
        period = await insert_period(conn, commission)
    monkeypatch.setenv(
        "PARTYPLAN_BENCH_FLOOR_DSN",
        app_url_from_owner(owner_url, "partyplan_app", None).replace("+asyncpg", ""),
    )
    monkeypatch.setenv("PARTYPLAN_KEY_DIR", str(settings.resolved_key_dir))
    monkeypatch.setenv("PARTYPLAN_BENCH_FLOOR_POOL", "2")

    async def call(client: httpx.AsyncClient, name: str, body: dict[str, Any], who: str) -> Any:
        headers = {"Authorization": f"Bearer {world.tokens[who]}"}
        response = await client.post(f"/q/{name}", json=body, headers=headers)
        assert response.status_code == 200, response.text
        return response.json()

    app = floor.create()
    transport = httpx.ASGITransport(app=app)
    async with (
        app.router.lifespan_context(app),  # the worker's pool, as uvicorn would start it
        httpx.AsyncClient(transport=transport, base_url="http://floor") as client,
    ):
        lines = await call(client, "Q1", {"unit": commission, "period": period}, "commission_admin")
        live = await call(
            client, "Q1-live", {"unit": commission, "period": period}, "commission_admin"
        )
        school = world.units["A"]
        page = await call(client, "Q3", {"under": school}, "school_admin")
        warnings = await call(client, "Q4", {"under": school}, "school_admin")
        # Row-level security: another school's admin finds nothing under school A.
        foreign = await call(client, "Q3", {"under": school}, "other_school_admin")
        refused = await client.post("/q/Q3", json={"under": school})
    by_tallies = sc.normalize_floor("Q1", lines)
    assert [r[0] for r in by_tallies] == [world.units["A"], world.units["B"]]
    assert by_tallies == sc.normalize_floor("Q1-live", live)
    assert page == {"data": []} and warnings == {"data": []} and foreign == {"data": []}
    assert refused.status_code == 401


def test_a_run_attaches_to_a_served_data_directory_and_leaves_its_server_running() -> None:
    """A benchmark run against a data directory a ``serve`` owns uses its server as the CLI's
    commands do: neither refused as a second owner nor stopping the owner's server."""
    from partyplan.bench.runner.environment import Database
    from partyplan.server.embedded import EmbeddedPostgres, find_server_processes

    base = Path(tempfile.mkdtemp(prefix="pp-bench-env-", dir="/tmp"))
    base.chmod(0o755)
    owner = EmbeddedPostgres(base / "data")
    try:
        owner.start()
        pid = (owner.pgdata / "postmaster.pid").read_text().splitlines()[0]
        database = Database.open(owner.data_dir, None)
        assert database.embedded is not None
        database.close()
        assert owner.running()
        assert (owner.pgdata / "postmaster.pid").read_text().splitlines()[0] == pid
    finally:
        owner.stop()
        assert find_server_processes(owner.pgdata) == []
        shutil.rmtree(base, ignore_errors=True)
