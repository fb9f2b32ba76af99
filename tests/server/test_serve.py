"""``partyplan serve --demo`` as a real process on the embedded PostgreSQL: it answers, its demo
tokens work, signals stop the service and its database, data survives a restart, and a server
orphaned by ``kill -9`` is adopted by the next start.

All tests share one data directory (the cluster is initialised once); each test starts its own
``serve`` processes, and teardown kills whatever is left, processes and postgres alike.
"""

from __future__ import annotations

import base64
import contextlib
import json
import shutil
import signal
import subprocess
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from support_serve import (
    EXIT_TIMEOUT,
    Serve,
    assert_clean,
    assert_no_postgres,
    kill_postgres,
    postmasters,
)

from partyplan.server.demo import ACCOUNTS, XINZHOU, Tree
from partyplan.server.embedded import find_server_processes

ME = "{ me { user { username } } }"
USERS = "{ users(first: 200) { edges { node { username } } } }"
CREATE_UNIT = """
mutation ($input: CreateUnitInput!) {
  createUnit(input: $input) { unit { id name } errors { code field message } }
}"""


def tree_codes(tree: Tree) -> set[str]:
    code, _, _, children = tree
    return {code}.union(*(tree_codes(child) for child in children))


def token_subject(token: str) -> str:
    payload = token.split(".")[1]
    return str(json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))["sub"])


@pytest.fixture(scope="module")
def data_dir() -> Iterator[Path]:
    # Short (the unix socket lives in DATA_DIR/pg/run) and outside any home directory (as root
    # the server user must traverse every parent).
    path = Path(tempfile.mkdtemp(prefix="pp-serve-", dir="/tmp"))
    try:
        yield path
    finally:
        kill_postgres(path / "pg")
        shutil.rmtree(path, ignore_errors=True)


@pytest.fixture
def serve(data_dir: Path, tmp_path: Path) -> Iterator[Callable[[], Serve]]:
    runs: list[Serve] = []

    def start() -> Serve:
        run = Serve(data_dir, tmp_path)
        runs.append(run)
        return run

    try:
        yield start
    finally:
        for run in runs:
            if run.proc.poll() is None:
                run.proc.terminate()
                with contextlib.suppress(subprocess.TimeoutExpired):
                    run.proc.wait(EXIT_TIMEOUT)
            run.close()
        kill_postgres(data_dir / "pg")


ROLLUP = """query($u: ID!, $p: ID!) { rollup(unitId: $u, periodId: $p) {
  line { plan admitted } children { unitName } } }"""


def test_serve_demo(serve: Callable[[], Serve], data_dir: Path) -> None:
    run = serve().wait_ready()
    assert find_server_processes(data_dir / "pg"), "the embedded PostgreSQL is not running"

    assert run.http.get("/healthz").status_code == 200
    jwks = run.http.get("/.well-known/jwks.json").json()
    [key] = jwks["keys"]
    assert key["kty"] == "OKP" and "d" not in key

    out = run.stdout
    assert f"embedded PostgreSQL in {data_dir}" in out
    assert f"http://127.0.0.1:{run.port}/graphql  (GraphiQL)" in out
    tokens = run.tokens()
    assert {u: role for u, (role, _) in tokens.items()} == {a[0]: a[2] for a in ACCOUNTS}
    assert len({token for _, token in tokens.values()}) == len(ACCOUNTS)

    for username in ("xz-zw-secretary", "cq-admin"):
        me = run.graphql(ME, run.token(username))
        assert me == {"me": {"user": {"username": username}}}

    # The commission administrator sees the whole 忻州师范学院 tree, and nothing of Chongqing.
    every = run.units("sx-admin")
    assert not any(code.startswith("CQ-") for code in every)
    school = every["SX-XZSY"]
    assert school["name"] == "中共忻州师范学院委员会"
    assert set(run.units("sx-admin", under=school["id"])) == tree_codes(XINZHOU)

    # The demo's plan rolls up, and the scan has judged it (the 2023 report is overdue).
    period = run.graphql("{ planPeriods { id name } }", run.token("sx-admin"))["planPeriods"][0]
    rollup = run.graphql(ROLLUP, run.token("sx-admin"), u=school["id"], p=period["id"])["rollup"]
    assert rollup["line"]["plan"] > 0 and rollup["children"]
    kinds = run.graphql(
        "{ warnings(kind: REPORT_OVERDUE) { edges { node { unitName } } } }", run.token("xz-admin")
    )
    assert [e["node"]["unitName"] for e in kinds["warnings"]["edges"]] == [school["name"]]


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "SIGINT"])
def test_signal_stops_the_service_and_its_database(
    serve: Callable[[], Serve], data_dir: Path, sig: signal.Signals
) -> None:
    run = serve().wait_ready()
    assert find_server_processes(data_dir / "pg")
    began = time.monotonic()
    status = run.signal(sig)
    # uvicorn re-raises the signal after its graceful shutdown; Ctrl-C exits with 130.
    assert status in (0, -sig, 128 + sig), status
    assert time.monotonic() - began < EXIT_TIMEOUT
    assert_no_postgres(data_dir)
    assert_clean(run)


def test_restart_reuses_the_data(serve: Callable[[], Serve], data_dir: Path) -> None:
    first = serve().wait_ready()
    units_before = {**first.units("sx-admin"), **first.units("cq-admin")}
    users_before = first.graphql(USERS, first.token("sx-admin"))
    school = units_before["SX-XZSY"]["id"]
    name = f"重启测试党支部-{uuid.uuid4().hex[:6]}"
    created = first.graphql(
        CREATE_UNIT,
        first.token("xz-admin"),
        input={"parentId": school, "kind": "BRANCH", "name": name},
    )["createUnit"]
    assert created["errors"] == [] and created["unit"]["name"] == name
    old_token = first.token("xz-admin")
    first_subjects = {u: token_subject(t) for u, (_, t) in first.tokens().items()}
    assert first.signal(signal.SIGTERM) in (0, -signal.SIGTERM)
    assert_no_postgres(data_dir)

    second = serve().wait_ready()
    units_after = {**second.units("sx-admin"), **second.units("cq-admin")}
    # The unit is still there, and loading the demo again added nothing.
    assert set(units_after) == set(units_before) | {name}
    assert units_after[name]["id"] == created["unit"]["id"]
    assert second.graphql(USERS, second.token("sx-admin")) == users_before
    assert {u: token_subject(t) for u, (_, t) in second.tokens().items()} == first_subjects
    # The signing key was reused too: the first run's token still works.
    assert second.graphql(ME, old_token) == {"me": {"user": {"username": "xz-admin"}}}
    assert second.signal(signal.SIGTERM) in (0, -signal.SIGTERM)
    assert_no_postgres(data_dir)
    assert_clean(first)
    assert_clean(second)


def test_a_server_orphaned_by_sigkill_is_adopted(
    serve: Callable[[], Serve], data_dir: Path
) -> None:
    first = serve().wait_ready()
    [postmaster] = postmasters(data_dir)
    first.proc.kill()  # kill -9: no lifespan shutdown, the database is left running
    assert first.proc.wait(EXIT_TIMEOUT) == -signal.SIGKILL
    assert postmasters(data_dir) == [postmaster]

    second = serve().wait_ready()
    # The same postmaster serves the new process (adopted, not replaced).
    assert postmasters(data_dir) == [postmaster]
    me = second.graphql(ME, second.token("sx-admin"))
    assert me == {"me": {"user": {"username": "sx-admin"}}}
    assert second.signal(signal.SIGTERM) in (0, -signal.SIGTERM)
    assert_no_postgres(data_dir)
    assert_clean(second)
