"""GraphiQL works on an intranet: headless Chromium loads ``/graphql`` from a real server with
every request to another host aborted, GraphiQL's editor appears and runs ``{ __typename }``.

Chromium is Debian's (``/usr/bin/chromium``, installed by ``.ci/run``), as in
``test_front_end_sign_in.py``. The page's screenshot is written to ``docs/console/graphiql.png``.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from urllib.parse import quote, urlsplit

import pytest
from support_browser import CHROMIUM, CHROMIUM_ARGS, free_port, requires_chromium, serve, stop

from partyplan.server.app import create_app

SCREENSHOT = Path(__file__).resolve().parents[2] / "docs" / "console" / "graphiql.png"

pytestmark = requires_chromium


@pytest.fixture
async def api(platform) -> AsyncIterator[str]:  # type: ignore[no-untyped-def]
    port = free_port()
    running = await serve(create_app(platform, manage_platform=False), port)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        await stop(*running)


async def test_graphiql_renders_and_runs_a_query_with_no_other_host_reachable(api: str) -> None:
    from playwright.async_api import Route, async_playwright

    own = urlsplit(api).netloc
    aborted: list[str] = []
    loaded: list[str] = []

    async def intranet(route: Route) -> None:
        url = route.request.url
        if urlsplit(url).scheme in ("data", "blob") or urlsplit(url).netloc == own:
            loaded.append(url)
            await route.continue_()
        else:
            aborted.append(url)
            await route.abort("internetdisconnected")

    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            page = await browser.new_page(viewport={"width": 1280, "height": 800})
            errors: list[str] = []
            page.on("pageerror", lambda error: errors.append(str(error)))
            await page.route("**/*", intranet)
            await page.goto(f"{api}/graphql?q={quote('{ __typename }')}")
            editor = page.locator(".graphiql-query-editor .CodeMirror")
            await editor.wait_for(timeout=20_000)
            await page.locator(".graphiql-execute-button").click()
            response = page.locator(".graphiql-response")
            await response.filter(has_text='"Query"').wait_for(timeout=20_000)
            assert '"__typename": "Query"' in (await response.inner_text())
            SCREENSHOT.parent.mkdir(parents=True, exist_ok=True)
            await page.screenshot(path=str(SCREENSHOT))
        finally:
            await browser.close()
    assert aborted == [], "GraphiQL reached for another host"
    assert errors == []
    assert any("/assets/vendor/graphiql@" in url for url in loaded)
