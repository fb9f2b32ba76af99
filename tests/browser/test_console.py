"""The console end to end, in headless Chromium against the province demo (``serve --demo
province``'s data, loaded once for this module): a person signs in through the platform's
authorization code flow with PKCE, reads the province overview, drills down to a branch, sees
the Chongqing branch table total 53, acknowledges a warning, is refused an over-allocation
beside the field, and downloads a workbook.

Every page works with no other host reachable (each request elsewhere is aborted and fails the
test), and each test writes its page's screenshot under ``docs/console/`` (README shows them).
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine
from support import TENANT_TABLES
from support_browser import CHROMIUM, CHROMIUM_ARGS, free_port, requires_chromium, serve, stop

from partyplan.server.app import create_app, register_console
from partyplan.server.database import async_url
from partyplan.server.demo import load_demo
from partyplan.server.platform import Platform

SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "console"
PASSWORD = "console test password 甲乙"
VIEWPORT = {"width": 1440, "height": 900}

pytestmark = requires_chromium


@dataclass
class Demo:
    base: str
    owner: AsyncEngine
    browser: Any


async def _empty(engine: AsyncEngine) -> None:
    async with engine.begin() as conn:
        await conn.execute(sa.text(f"TRUNCATE {TENANT_TABLES} RESTART IDENTITY CASCADE"))


@pytest.fixture(scope="module")
async def demo(settings) -> AsyncIterator[Demo]:  # type: ignore[no-untyped-def]
    from playwright.async_api import async_playwright

    port = free_port()
    base = f"http://127.0.0.1:{port}"
    platform = Platform(settings.model_copy(update={"public_url": base}), migrate=False)
    await platform.start()
    assert platform.owner_url is not None
    owner = create_async_engine(async_url(platform.owner_url))
    await _empty(owner)
    running = None
    try:
        await load_demo(platform.owner_url, platform.pii, province=True, password=PASSWORD)
        await register_console(platform)  # what the lifespan does at every start
        running = await serve(create_app(platform, manage_platform=False), port)
        async with async_playwright() as playwright:
            browser = await playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            try:
                yield Demo(base, owner, browser)
            finally:
                await browser.close()
    finally:
        if running is not None:
            await stop(*running)
        await _empty(owner)
        await owner.dispose()
        await platform.stop()


@dataclass
class Tab:
    """One signed-in page, offline: any request to another host is aborted and recorded."""

    page: Any
    elsewhere: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    async def shot(self, name: str) -> None:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        await self.page.wait_for_timeout(600)  # the charts' entry animation
        await self.page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)

    def clean(self) -> None:
        assert self.elsewhere == [], "the console reached for another host"
        assert self.errors == [], "the page raised errors"


async def open_signed_in(demo: Demo, username: str) -> Tab:
    context = await demo.browser.new_context(viewport=VIEWPORT, accept_downloads=True)
    page = await context.new_page()
    tab = Tab(page)
    own = urlsplit(demo.base).netloc

    async def intranet(route: Any) -> None:
        url = route.request.url
        if urlsplit(url).scheme in ("data", "blob") or urlsplit(url).netloc == own:
            await route.continue_()
        else:
            tab.elsewhere.append(url)
            await route.abort("internetdisconnected")

    await context.route("**/*", intranet)
    page.on("pageerror", lambda error: tab.errors.append(str(error)))
    await page.goto(f"{demo.base}/console/")
    await page.click("[data-test=sign-in]")
    await page.wait_for_url(f"{demo.base}/oauth/**")
    await page.fill("input[name=username]", username)
    await page.fill("input[name=password]", PASSWORD)
    await page.click("form button[type=submit]")
    await page.wait_for_url(f"{demo.base}/console/**")
    await page.wait_for_selector("[data-test=cards]")
    return tab


def field(name: str, element: str = "input") -> str:
    """An Element Plus input's native element, whether the attribute landed on it or on its
    wrapper."""
    return f"{element}[data-test={name}], [data-test={name}] {element}"


def rows(tab: Tab, table: str) -> Any:
    return tab.page.locator(f"[data-test={table}] .el-table__body-wrapper tbody tr")


async def test_the_commission_reads_the_province_and_drills_down_to_a_branch(demo: Demo) -> None:
    tab = await open_signed_in(demo, "sx-admin")
    page = tab.page
    assert "工委组织部管理员" in await page.locator("[data-test=who]").inner_text()
    schools = rows(tab, "children")
    assert await schools.count() >= 11  # the province demo's schools, one row each
    # Each school's standing against the even pace of the period is shown, so the one
    # question ("who is behind, and why") starts here.
    assert await page.locator("[data-test^=pace-]").count() == await schools.count()
    await tab.shot("overview")

    await schools.filter(has_text="忻州师范学院").locator("a").first.click()
    await page.wait_for_selector("[data-test=breadcrumb] >> text=忻州师范学院")
    await page.wait_for_selector("[data-test=children] >> text=中文系")
    assert "省委教育工作委员会" in await page.locator("[data-test=breadcrumb]").inner_text()
    await tab.shot("school")

    await rows(tab, "children").filter(has_text="中文系").locator("a").first.click()
    await page.wait_for_selector("[data-test=branch-table]")
    await tab.shot("committee")
    branch = rows(tab, "children").first
    branch_name = (await branch.locator("a").first.inner_text()).strip()
    await branch.locator("a").first.click()
    await page.wait_for_selector(f"[data-test=breadcrumb] >> text={branch_name}")
    crumbs = await page.locator("[data-test=breadcrumb] .el-breadcrumb__item").count()
    assert crumbs == 4  # commission / school / committee / branch
    await tab.shot("branch")
    tab.clean()


async def test_the_chongqing_branch_table_totals_53(demo: Demo) -> None:
    tab = await open_signed_in(demo, "cqyz-admin")
    table = tab.page.locator("[data-test=branch-table]")
    await table.wait_for()
    lines = rows(tab, "branch-table")
    assert await lines.count() == 5
    first = await lines.first.locator("td").all_inner_texts()
    assert first[0].strip() == "1"
    footer = await table.locator(".el-table__footer-wrapper td").all_inner_texts()
    assert [text.strip() for text in footer][:3] == ["合计", "", "53"]
    await tab.shot("branch-table")
    tab.clean()


async def test_a_warning_is_acknowledged_with_a_note(demo: Demo) -> None:
    tab = await open_signed_in(demo, "sx-admin")
    page = tab.page
    await page.click("[data-nav=warnings]")
    listed = rows(tab, "warnings")
    await listed.first.wait_for()
    total_before = await page.locator("[data-test=warning-total]").inner_text()
    target = listed.filter(has=page.locator("[data-test=acknowledge]")).first
    message = (await target.locator("td").nth(2).inner_text()).strip()
    await target.locator("[data-test=acknowledge]").click()
    await page.fill(field("note", "textarea"), "已督促支部补录，月底前完成")
    await page.click("[data-test=confirm]")
    await page.wait_for_selector("text=已督促支部补录，月底前完成")
    await tab.shot("warnings")

    async with demo.owner.connect() as conn:
        saved = (
            await conn.execute(
                sa.text(
                    "SELECT status, acknowledgement FROM warnings WHERE message = :m"
                    " AND acknowledgement IS NOT NULL"
                ),
                {"m": message},
            )
        ).one()
    assert tuple(saved) == ("acknowledged", "已督促支部补录，月底前完成")
    # The open list no longer holds it once reloaded.
    await page.reload()
    await page.wait_for_selector("[data-test=warning-total]")
    await listed.first.wait_for()
    assert await page.locator("[data-test=warning-total]").inner_text() != total_before
    tab.clean()


async def test_an_over_allocation_is_refused_beside_the_field(demo: Demo) -> None:
    tab = await open_signed_in(demo, "xz-admin")
    page = tab.page
    await page.click("[data-nav=plans]")
    forms = page.locator("[data-test=quota-forms]")
    await forms.wait_for()
    available = int(await page.locator("[data-test=available]").inner_text())
    handed_down = int(await page.locator("[data-test=handed-down]").inner_text())

    await page.click("[data-test=to-unit]")
    await page.locator(".el-select-dropdown__item:visible").filter(has_text="中文系").click()
    await page.fill(field("amount-total"), str(available + 5))
    await page.click("[data-test=submit-quota]")
    error = page.locator("[data-test=amount-total-item] .el-form-item__error")
    await error.wait_for()
    assert "5" in await error.inner_text()  # the shortfall, said beside the field
    await tab.shot("plans-refused")
    assert int(await page.locator("[data-test=handed-down]").inner_text()) == handed_down

    if available > 0:
        await page.fill(field("amount-total"), "1")
        await page.click("[data-test=submit-quota]")
        await page.wait_for_function(
            "([n]) => document.querySelector('[data-test=handed-down]').innerText.trim() == n",
            arg=[str(handed_down + 1)],
        )
    tab.clean()


async def test_reports_show_who_submitted_and_a_workbook_downloads(demo: Demo) -> None:
    tab = await open_signed_in(demo, "sx-admin")
    page = tab.page
    await page.click("[data-nav=reports]")
    await rows(tab, "reports").first.wait_for()
    # Last year's period: most schools reported, two are shaped by the demo not to have.
    await page.click("[data-test=period]")
    await page.locator(".el-select-dropdown__item:visible").filter(has_text="2025").click()
    await page.wait_for_selector("[data-test=reports-late]")
    reported = rows(tab, "reports").filter(has_text="已报送")
    await reported.first.wait_for()
    assert await rows(tab, "reports").count() >= 11
    missing = rows(tab, "reports").filter(has_text="逾期未报")
    assert await missing.count() == 2
    await tab.shot("reports")
    async with page.expect_download() as waiting:
        await reported.first.locator("[data-test=download-report]").click()
    school_workbook = await waiting.value
    assert school_workbook.suggested_filename.endswith(".xlsx")
    async with page.expect_download() as waiting:
        await page.click("[data-test=download-province]")
    download = await waiting.value
    path = await download.path()
    data = await asyncio.to_thread(Path(path).read_bytes)
    assert data[:2] == b"PK"  # an xlsx is a zip
    assert download.suggested_filename.endswith(".xlsx")
    tab.clean()
