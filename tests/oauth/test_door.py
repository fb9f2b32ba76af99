"""The bridge between authlib's synchronous hooks and the request's asynchronous transaction."""

from __future__ import annotations

import asyncio
import threading
import time

import pytest

from partyplan.server.oauth.door import Door


async def _answer() -> int:
    return 42


async def test_a_hook_runs_its_coroutine_on_the_loop_from_the_worker() -> None:
    loop = asyncio.get_running_loop()
    door = Door(None, loop)  # type: ignore[arg-type]
    seen: dict[str, object] = {}

    async def where() -> int:
        seen["thread"] = threading.get_ident()
        return 42

    def hook() -> int:
        seen["worker"] = threading.get_ident()
        return door.run(where())

    assert await door.call(hook) == 42
    assert seen["thread"] == threading.get_ident() != seen["worker"]


async def test_run_refuses_on_the_loop_itself() -> None:
    door = Door(None, asyncio.get_running_loop())  # type: ignore[arg-type]
    with pytest.raises(RuntimeError):
        door.run(_answer())  # waiting here would wait on itself forever


async def test_a_cancelled_request_waits_for_its_worker() -> None:
    door = Door(None, asyncio.get_running_loop())  # type: ignore[arg-type]
    finished: list[float] = []

    def slow() -> None:
        time.sleep(0.2)
        finished.append(time.monotonic())

    task = asyncio.ensure_future(door.call(slow))
    await asyncio.sleep(0.05)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert finished and finished[0] <= time.monotonic()  # done before the cancellation ended
