"""A third-party front end in headless Chromium signs a person in through the authorization
code flow with PKCE and calls the API across origins (CORS), as the console will.

Two real HTTP servers on loopback: the platform, and the front end's own origin (another port)
serving ``front_end.html``. Chromium is Debian's (``/usr/bin/chromium``, installed by
``.ci/run``), driven by Playwright's Python API; Playwright's own browser download cannot run on
a closed network.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
import sqlalchemy as sa
from argon2 import PasswordHasher
from starlette.applications import Starlette
from starlette.responses import FileResponse
from starlette.routing import Route
from support_browser import CHROMIUM, CHROMIUM_ARGS, free_port, requires_chromium, serve, stop

from partyplan.server.app import create_app

PAGE = Path(__file__).with_name("front_end.html")
PASSWORD = "a long test password 甲乙"

pytestmark = requires_chromium


@pytest.fixture
async def origins(platform) -> AsyncIterator[tuple[str, str]]:  # type: ignore[no-untyped-def]
    api_port, front_port = free_port(), free_port()
    front = Starlette(
        routes=[
            Route("/", lambda r: FileResponse(PAGE)),
            Route("/callback", lambda r: FileResponse(PAGE)),
        ]
    )
    running = [
        await serve(create_app(platform, manage_platform=False), api_port),
        await serve(front, front_port),
    ]
    try:
        yield f"http://127.0.0.1:{api_port}", f"http://127.0.0.1:{front_port}"
    finally:
        for server, task in running:
            await stop(server, task)


async def _register(owner_engine, world, front: str) -> None:  # type: ignore[no-untyped-def]
    hashed = PasswordHasher().hash(PASSWORD)
    async with owner_engine.begin() as conn:
        await conn.execute(
            sa.text(
                "INSERT INTO oauth_clients (client_id, name, kind, allowed_scopes, unit_id,"
                " unit_path, cost_budget, requests_per_minute, redirect_uris, allowed_origins)"
                " SELECT 'browser-front-end', '测试前端', 'front_end', '{read}', id, path,"
                " 100000, 600, ARRAY[:callback], ARRAY[:origin] FROM units WHERE id = :c"
            ),
            {"callback": f"{front}/callback", "origin": front, "c": world.units["commission"]},
        )
        await conn.execute(
            sa.text(
                "INSERT INTO user_credentials (user_id, password_hash, must_change, set_at)"
                " VALUES (:u, :h, false, :now)"
            ),
            {"u": world.users["school_admin"], "h": hashed, "now": datetime.now(UTC)},
        )


async def test_front_end_signs_in_with_pkce_and_calls_the_api_across_origins(  # type: ignore[no-untyped-def]
    origins, owner_engine, world
) -> None:
    from playwright.async_api import async_playwright

    api, front = origins
    await _register(owner_engine, world, front)
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            page = await browser.new_page()
            await page.goto(f"{front}/?api={api}")
            await page.wait_for_url(f"{api}/oauth/**")
            await page.fill("input[name=username]", "school-admin")
            await page.fill("input[name=password]", PASSWORD)
            await page.click("form button[type=submit]")
            # The consent screen names the client and what it asks for.
            await page.wait_for_selector("text=测试前端")
            await page.click("button[name=decision][value=approve]")
            await page.wait_for_url(f"{front}/callback**")
            result = page.locator("#result")
            await result.filter(has_text="signed in").or_(result.filter(has_text=":")).wait_for()
            assert await result.text_content() == "signed in as school-admin"
        finally:
            await browser.close()
