"""A dead embedded PostgreSQL does not stay dead (``server/embedded/watchdog.py``): the service,
on its own embedded server in a temporary directory (never the suite's), answers a coded 503
while the server is away, then serves again after crash recovery; when the server cannot be
started again, ``/healthz`` fails so that a supervisor restarts the service."""

from __future__ import annotations

import asyncio
import os
import shutil
import signal
import tempfile
import time
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import httpx
import psutil
import pytest
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import create_async_engine

from partyplan.server.app import create_app
from partyplan.server.database import async_url
from partyplan.server.embedded import find_server_processes
from partyplan.server.platform import Platform
from partyplan.server.settings import Settings

ME = "{ me { user { username } } }"
UNAVAILABLE = {
    "errors": [
        {"message": "数据库暂不可用，请稍后重试", "extensions": {"code": "SERVICE_UNAVAILABLE"}}
    ]
}


class Service:
    def __init__(self, platform: Platform, http: httpx.AsyncClient, token: str) -> None:
        self.platform, self.http, self.token = platform, http, token

    async def me(self) -> httpx.Response:
        headers = {"Authorization": f"Bearer {self.token}"}
        return await self.http.post("/graphql", json={"query": ME}, headers=headers)

    def postmaster(self) -> int:
        assert self.platform.embedded is not None
        return int((self.platform.embedded.pgdata / "postmaster.pid").read_text().split()[0])


@pytest.fixture
def base() -> Iterator[Path]:
    path = Path(tempfile.mkdtemp(prefix="pp-dog-", dir="/tmp"))
    path.chmod(0o755)  # as root the server user traverses it
    try:
        yield path
    finally:
        left = find_server_processes(path / "data" / "pg")
        for proc in left:
            proc.kill()
        psutil.wait_procs(left, timeout=10)
        shutil.rmtree(path, ignore_errors=True)


@pytest.fixture
async def service(base: Path) -> AsyncIterator[Service]:
    settings = Settings(data_dir=base / "data", database_url=None, app_database_url=None)
    platform = Platform(settings, migrate=True)
    try:
        await platform.start()
        assert platform.embedded is not None and platform.watchdog is not None
        owner = create_async_engine(async_url(platform.owner_url or ""))
        try:
            async with owner.begin() as conn:
                user = await conn.scalar(
                    sa.text(
                        "WITH u AS (INSERT INTO units (kind, name, code, path)"
                        " VALUES ('commission', '省委教育工委', 'C', '0') RETURNING id, path)"
                        " INSERT INTO users (username, display_name, home_unit_id, home_path)"
                        " SELECT 'watched', '值守', id, path FROM u RETURNING id"
                    )
                )
        finally:
            await owner.dispose()
        app = create_app(platform, manage_platform=False)
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as http:
            yield Service(platform, http, platform.tokens.mint(str(user), 600))
    finally:
        await platform.stop()


def unavailable(response: httpx.Response) -> bool:
    if response.status_code != 503:
        return False
    assert response.json() == UNAVAILABLE
    assert response.headers["Retry-After"] == "5"
    return True


async def test_a_killed_postmaster_is_restarted_and_the_service_resumes(
    service: Service,
) -> None:
    assert (await service.me()).json() == {"data": {"me": {"user": {"username": "watched"}}}}
    killed = service.postmaster()

    os.kill(killed, signal.SIGKILL)
    answers: list[str] = []
    states: set[str] = set()
    began = time.monotonic()
    while time.monotonic() - began < 30:
        states.add(service.platform.database_state)
        health = await service.http.get("/healthz")
        assert health.status_code == 200, "the service is alive: a restart is under way"
        response = await service.me()
        if unavailable(response):
            answers.append("503")
        else:
            # Never a masked INTERNAL_SERVER_ERROR: either served, or a coded 503.
            assert response.status_code == 200 and "errors" not in response.json(), response.text
            answers.append("ok")
            if "503" in answers:
                break
        await asyncio.sleep(0.02)
    assert answers and answers[0] == "503" and answers[-1] == "ok", answers
    assert "restarting" in states
    assert service.postmaster() != killed, "a new postmaster (crash recovery) serves"
    ready = await service.http.get("/readyz")
    assert (ready.status_code, ready.json()) == (200, {"status": "ready"})
    assert (await service.http.get("/healthz")).json() == {"status": "ok"}
    assert service.platform.database_state == "up"


async def test_healthz_fails_when_the_server_cannot_be_started_again(service: Service) -> None:
    watchdog, embedded = service.platform.watchdog, service.platform.embedded
    assert watchdog is not None and embedded is not None
    watchdog.backoff = 0.05
    gave_up = asyncio.Event()
    watchdog.on_failed = gave_up.set
    # A cluster that no longer starts: initdb then refuses its non-empty directory.
    (embedded.pgdata / "PG_VERSION").unlink()

    os.kill(service.postmaster(), signal.SIGKILL)

    async with asyncio.timeout(30):
        await gave_up.wait()
    assert watchdog.state == "failed"
    health = await service.http.get("/healthz")
    assert (health.status_code, health.json()) == (503, {"status": "failed", "database": "failed"})
    ready = await service.http.get("/readyz")
    assert (ready.status_code, ready.json()) == (
        503,
        {"status": "unavailable", "database": "failed"},
    )
    assert unavailable(await service.me())
