"""What the in-process benchmarks share: a scratch embedded PostgreSQL migrated to head, the
service in process over ASGI, sequential timing and the one-line report."""

from __future__ import annotations

import base64
import contextlib
import shutil
import statistics
import tempfile
import time
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import httpx

from partyplan.server import database_admin
from partyplan.server.app import create_app
from partyplan.server.database import with_database
from partyplan.server.embedded import EmbeddedPostgres
from partyplan.server.platform import Platform
from partyplan.server.settings import Settings


def gid(kind: str, row_id: int) -> str:
    return base64.b64encode(f"{kind}:{row_id}".encode()).decode()


@contextlib.asynccontextmanager
async def scratch_database() -> AsyncIterator[tuple[str, Path]]:
    """The owner URL of a fresh, migrated database in a temporary directory, and the directory;
    both gone afterwards."""
    workdir = Path(tempfile.mkdtemp(prefix="pp-bench-", dir="/tmp"))
    workdir.chmod(0o755)  # noqa: ASYNC240 - setup, before anything is timed
    embedded = EmbeddedPostgres(workdir / "db")
    try:
        owner = with_database(embedded.start(), "partyplan")
        await database_admin.upgrade(owner, "partyplan_app")
        yield owner, workdir
    finally:
        embedded.stop()
        shutil.rmtree(workdir, ignore_errors=True)


@contextlib.asynccontextmanager
async def service(owner: str, workdir: Path) -> AsyncIterator[tuple[Platform, httpx.AsyncClient]]:
    """The platform started on the database, and a client calling its ASGI app in process."""
    # One account's token carries the whole load: no per-user rate limit (README, "Limits").
    settings = Settings(
        database_url=owner, data_dir=workdir, key_dir=workdir / "keys", rate_user_per_minute=0
    )
    platform = Platform(settings, migrate=False)
    await platform.start()
    try:
        app = create_app(platform, manage_platform=False)
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://b") as client:
            yield platform, client
    finally:
        await platform.stop()


async def timed(
    client: httpx.AsyncClient, n: int, body: Callable[[int], dict[str, Any]], token: str
) -> list[float]:
    headers = {"Authorization": f"Bearer {token}"}
    samples = []
    for i in range(n):
        payload = body(i)
        start = time.perf_counter()
        response = await client.post("/graphql", json=payload, headers=headers)
        samples.append(time.perf_counter() - start)
        data = response.json()
        assert "errors" not in data, data
    return samples


def report(name: str, samples: list[float]) -> None:
    ordered = sorted(samples)
    p50 = statistics.median(ordered) * 1000
    p95 = ordered[int(len(ordered) * 0.95) - 1] * 1000
    print(
        f"{name:<28} n={len(samples):<5} p50 {p50:6.2f} ms   p95 {p95:6.2f} ms   "
        f"{len(samples) / sum(samples):7.0f} req/s"
    )
