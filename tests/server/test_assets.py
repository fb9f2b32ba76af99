"""Vendored browser assets (server/assets.py) and the offline GraphiQL page (server/graphiql.py):
the committed files match their manifest, the package ships them, the route serves exactly the
listed files (long cache, right type, nothing outside), and GraphiQL's page loads every script
and stylesheet from the platform with integrity values that hold for the served bytes."""

from __future__ import annotations

import base64
import fnmatch
import hashlib
import json
import shutil
import subprocess
import sys
import tomllib
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import httpx
import pytest
from starlette.applications import Starlette
from strawberry.http.ides import get_graphql_ide_html

from partyplan.server import assets
from partyplan.server.app import create_app
from partyplan.server.graphiql import offline
from partyplan.server.platform import Platform
from partyplan.server.settings import Settings

ROOT = Path(__file__).resolve().parents[2]


def _manifest() -> list[assets.VendoredFile]:
    return assets.load_manifest()


# --- the committed files ---------------------------------------------------------------------


def test_committed_files_match_the_manifest() -> None:
    files = _manifest()
    assert files, "the manifest lists no file"
    assert assets.verify(files) == []


def test_assets_verify_command_exits_0_on_the_committed_files() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "partyplan.server.cli", "assets", "verify"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert f"{len(_manifest())} vendored file(s) match the manifest" in done.stdout


def test_verify_reports_an_altered_a_missing_and_an_unlisted_file(tmp_path: Path) -> None:
    files = _manifest()
    root = tmp_path / "vendor"
    shutil.copytree(assets.VENDOR_DIR, root)
    altered, missing = files[0], files[1]
    altered.local(root).write_bytes(altered.local(root).read_bytes() + b"\n")
    missing.local(root).unlink()
    (root / "stray.js").write_text("alert(1)")
    assert sorted(assets.verify(files, root)) == sorted(
        [
            f"{altered.relative}: SHA-256 differs from the manifest",
            f"{missing.relative}: missing",
            "stray.js: not in the manifest",
        ]
    )


@pytest.mark.parametrize(
    "entry",
    [
        {"package": "react", "version": "18.2.0", "path": "../../assets.py"},
        {"package": "react", "version": "18.2.0", "path": "/etc/passwd"},
        {"package": "react", "version": "18.2.0", "path": "umd/.hidden.js"},
        {"package": "..", "version": "18.2.0", "path": "x.js"},
        {"package": "@a/b/c", "version": "1.0.0", "path": "x.js"},
        {"package": "react", "version": "../1", "path": "x.js"},
        {"package": "react", "version": "18.2.0", "path": "x.js", "sha256": "abc"},
    ],
)
def test_manifest_refuses_paths_out_of_the_folder_and_bad_hashes(
    tmp_path: Path, entry: dict[str, str]
) -> None:
    manifest = tmp_path / "vendor.json"
    manifest.write_text(json.dumps({"files": [{"sha256": "0" * 64, **entry}]}))
    with pytest.raises(assets.AssetError):
        assets.load_manifest(manifest)


def test_the_package_data_ships_every_vendored_file() -> None:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())
    patterns = config["tool"]["setuptools"]["package-data"]["partyplan.server"]
    shipped = ["static/vendor.json", *(f"static/vendor/{f.relative}" for f in _manifest())]
    for name in shipped:
        assert any(fnmatch.fnmatch(name, pattern) for pattern in patterns), name


# --- the route -------------------------------------------------------------------------------


@pytest.fixture
async def bare() -> Any:
    """The asset routes alone (no database): what any app mounting them serves."""
    app = Starlette(routes=assets.routes())
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://test"
    ) as http:
        yield app, http


async def test_every_listed_file_is_served_with_its_type_and_a_long_cache(bare: Any) -> None:
    _, http = bare
    kinds = {".js": "text/javascript", ".css": "text/css"}
    for item in _manifest():
        response = await http.get(item.url)
        assert response.status_code == 200, item.url
        assert hashlib.sha256(response.content).hexdigest() == item.sha256
        media = response.headers["content-type"].split(";")[0]
        assert media == kinds[Path(item.path).suffix], item.url
        cache = response.headers["cache-control"]
        assert "immutable" in cache and "max-age=31536000" in cache
        assert response.headers["x-content-type-options"] == "nosniff"
        head = await http.head(item.url)
        assert head.status_code == 200 and head.content == b""


async def _raw_get(app: Starlette, path: str) -> int:
    """One request with ``path`` exactly as a hostile client sends it (no client-side dot
    segment removal or percent-decoding)."""
    status: list[int] = []

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: dict[str, Any]) -> None:
        if message["type"] == "http.response.start":
            status.append(message["status"])

    raw = path.encode()
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "GET",
        "scheme": "http",
        "path": path.split("?")[0],
        "raw_path": raw,
        "root_path": "",
        "query_string": b"",
        "headers": [(b"host", b"test")],
        "client": ("127.0.0.1", 1),
        "server": ("test", 80),
    }
    await app(scope, receive, send)
    return status[0]


@pytest.mark.parametrize(
    "path",
    [
        "/assets/vendor/../assets.py",
        "/assets/vendor/../vendor.json",
        "/assets/vendor/react@18.2.0/../../assets.py",
        "/assets/vendor/react@18.2.0/umd/../../../assets.py",
        "/assets/vendor/..%2f..%2fassets.py",
        "/assets/vendor/%2e%2e/%2e%2e/app.py",
        "/assets/vendor//etc/passwd",
        "/assets/vendor/react@18.2.0/package.json",  # in the tarball, not vendored
        "/assets/vendor/react@18.2.0/umd/",
        "/assets/vendor/",
    ],
)
async def test_nothing_outside_the_manifest_is_served(bare: Any, path: str) -> None:
    app, _ = bare
    assert await _raw_get(app, path) == 404


async def test_the_platform_serves_the_assets_in_production_too(settings: Settings) -> None:
    # The console needs them in production; only GraphiQL is development-only. A file needs
    # no database: the platform is built, never started.
    values = {"data_dir": settings.data_dir, "key_dir": settings.key_dir}
    platform = Platform(Settings(environment="production", **values), migrate=False)
    app = create_app(platform, manage_platform=False)
    item = _manifest()[0]
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://test"
    ) as production:
        response = await production.get(item.url)
        assert response.status_code == 200
        assert hashlib.sha256(response.content).hexdigest() == item.sha256


# --- GraphiQL --------------------------------------------------------------------------------


class _Assets(HTMLParser):
    """Every script ``src`` and every ``link`` ``href`` of a page, with its integrity."""

    def __init__(self) -> None:
        super().__init__()
        self.found: list[tuple[str, str | None]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        address = values.get("src") if tag == "script" else values.get("href")
        if tag in ("script", "link") and address:
            self.found.append((address, values.get("integrity")))


def _assets_of(html: str) -> list[tuple[str, str | None]]:
    parser = _Assets()
    parser.feed(html)
    return parser.found


async def test_graphiql_loads_every_script_and_stylesheet_from_the_platform(
    client: httpx.AsyncClient,
) -> None:
    page = await client.get("/graphql", headers={"Accept": "text/html"})
    assert page.status_code == 200 and "graphiql" in page.text.lower()
    found = [(url, integrity) for url, integrity in _assets_of(page.text)]
    remote = [url for url, _ in found if not url.startswith(("/", "data:")) or url[:2] == "//"]
    assert remote == []
    local = [(url, integrity) for url, integrity in found if not url.startswith("data:")]
    # React, ReactDOM, GraphiQL's script and stylesheet at the least.
    assert len(local) >= 4
    hashes = {item.url: item.sha256 for item in _manifest()}
    for url, integrity in local:
        assert url in hashes, url
        served = await client.get(url)
        assert served.status_code == 200, url
        assert hashlib.sha256(served.content).hexdigest() == hashes[url]
        expected = "sha384-" + base64.b64encode(hashlib.sha384(served.content).digest()).decode()
        assert integrity == expected, url


def test_every_cdn_asset_of_strawberrys_page_is_vendored() -> None:
    template = get_graphql_ide_html("graphiql")
    cdn = [url for url, _ in _assets_of(template) if url.startswith("https://")]
    assert cdn, "strawberry's page loads nothing from a CDN any more: revisit server/graphiql.py"
    rewritten = [url for url, _ in _assets_of(offline(template))]
    assert len(rewritten) == len(_assets_of(template))
    assert not [url for url in rewritten if url.startswith(("http:", "https:", "//"))]


def test_graphiql_page_follows_the_root_path() -> None:
    page = offline(get_graphql_ide_html("graphiql"), "/partyplan")
    local = [url for url, _ in _assets_of(page) if not url.startswith("data:")]
    assert local and all(url.startswith("/partyplan/assets/vendor/") for url in local)


def test_an_asset_that_is_not_vendored_fails_loudly() -> None:
    page = '<script src="https://unpkg.com/left-pad@1.3.0/index.js" integrity="x"></script>'
    with pytest.raises(assets.AssetError, match="left-pad@1.3.0"):
        offline(page)


# --- npm (network) ---------------------------------------------------------------------------


def _registry_unreachable() -> str | None:
    if not assets.npm_available():
        return "npm is not installed"
    try:
        done = subprocess.run(["npm", "ping"], capture_output=True, text=True, timeout=30)
    except (OSError, subprocess.TimeoutExpired) as error:
        return f"npm ping: {error}"
    return None if done.returncode == 0 else "the npm registry does not answer (npm ping)"


def test_fetch_reproduces_the_committed_files_from_npm(tmp_path: Path) -> None:
    reason = _registry_unreachable()
    if reason:
        pytest.skip(f"{reason}: partyplan assets fetch not exercised")
    files = _manifest()
    _, problems = assets.fetch(files)
    assert problems == []

    # --write into an empty folder, from a manifest without hashes, rebuilds the same files.
    unhashed = [assets.VendoredFile(f.package, f.version, f.path, "") for f in files]
    root = tmp_path / "vendor"
    (root / "old@0.0.1").mkdir(parents=True)
    (root / "old@0.0.1" / "gone.js").write_text("")
    refreshed, _ = assets.fetch(unhashed, root, write=True)
    assert sorted(refreshed, key=lambda f: f.relative) == sorted(files, key=lambda f: f.relative)
    assert assets.verify(files, root) == []
