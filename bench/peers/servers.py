"""Starting and stopping a peer server: Node 22 from the cache runs the committed server
script, which forks ``workers`` processes sharing one port (Node ``cluster``), each with a pg
pool of ``pool`` connections.

``start`` returns once every worker listens and a GraphQL request succeeds; the server's
output goes to ``<cache>/logs/<kind>-<port>.log`` (never to a pipe nobody drains), whose tail
is in the error when it fails to start.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Literal

from .database import connection
from .install import HERE, PeerInstall, install

Kind = Literal["postgraphile5", "postgraphile4"]
SettingsMode = Literal["transaction", "session"]
KINDS: tuple[Kind, ...] = ("postgraphile5", "postgraphile4")
SCRIPTS = {
    "postgraphile5": HERE / "pg5" / "server.mjs",
    "postgraphile4": HERE / "pg4" / "server.js",
}
START_TIMEOUT = 60.0
STOP_TIMEOUT = 10.0


def url(port: int) -> str:
    return f"http://127.0.0.1:{port}/graphql"


def start(
    kind: Kind,
    dsn: str,
    port: int,
    workers: int,
    scope: dict[str, str],
    *,
    pool: int = 10,
    settings_mode: SettingsMode = "transaction",
    peers: PeerInstall | None = None,
) -> subprocess.Popen[bytes]:
    """Serve ``kind`` at ``http://127.0.0.1:<port>/graphql`` over ``dsn`` (connect as the
    service role so that row-level security applies, see ``database.app_dsn``) and return its
    primary process once it answers.

    ``scope`` holds the settings row-level security reads (``app.scope``, ``app.user_id``),
    the same for every request. ``settings_mode="transaction"`` sets them per request inside a
    transaction, as our service does (PostGraphile's ``pgSettings``: begin, set_config, the
    query, commit); ``"session"`` puts them in each connection's startup options instead, so a
    request is the one prepared statement alone. ``pool`` is per worker."""
    if kind not in SCRIPTS:
        raise ValueError(f"unknown peer {kind!r}; one of {KINDS}")
    if settings_mode not in ("transaction", "session"):
        raise ValueError(f"unknown settings mode {settings_mode!r}")
    peers = peers or install()
    logs = peers.cache / "logs"
    logs.mkdir(exist_ok=True)
    log_path = logs / f"{kind}-{port}.log"
    ready = logs / f"{kind}-{port}.ready"
    ready.unlink(missing_ok=True)
    config = {
        "install": str(peers.dirs[kind]),
        "port": port,
        "workers": workers,
        "pool": pool,
        "connection": connection(dsn),
        "settings": scope,
        "settingsMode": settings_mode,
        "readyFile": str(ready),
    }
    env = {**os.environ, "PARTYPLAN_PEER": json.dumps(config), "NODE_ENV": "production"}
    with log_path.open("ab") as log:
        proc = subprocess.Popen(
            [str(peers.node), str(SCRIPTS[kind])],
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        _wait_ready(proc, port, ready, log_path)
    except BaseException:
        stop(proc)
        raise
    return proc


def stop(proc: subprocess.Popen[bytes]) -> None:
    """Stop the server and its workers (its own process group); idempotent."""
    if proc.poll() is None:
        _signal_group(proc, signal.SIGTERM)
        try:
            proc.wait(STOP_TIMEOUT)
        except subprocess.TimeoutExpired:
            _signal_group(proc, signal.SIGKILL)
            proc.wait(STOP_TIMEOUT)
    # Workers outliving a primary that died some other way.
    _signal_group(proc, signal.SIGKILL)


def _signal_group(proc: subprocess.Popen[bytes], sig: int) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(proc.pid, sig)  # start_new_session: the group is the primary's pid


def _wait_ready(proc: subprocess.Popen[bytes], port: int, ready: Path, log_path: Path) -> None:
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"peer exited ({proc.returncode}):\n{_tail(log_path)}")
        if ready.exists() and _answers(port):
            return
        time.sleep(0.1)
    raise RuntimeError(f"peer not ready after {START_TIMEOUT:.0f} s:\n{_tail(log_path)}")


def _answers(port: int) -> bool:
    request = urllib.request.Request(
        url(port),
        data=b'{"query":"{__typename}"}',
        method="POST",
        headers={"Content-Type": "application/json"},
    )
    try:
        with urllib.request.urlopen(request, timeout=2) as response:
            return json.load(response).get("data", {}).get("__typename") == "Query"
    except (urllib.error.URLError, OSError, ValueError):
        return False


def _tail(path: Path, lines: int = 40) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return "(no log)"
