"""The console as the server serves it (server/console.py, server/console_client.py): the page
and its files with strict headers and nothing from another host, its configuration, the
documents its modules name, its OAuth2 client registered at every start, and what a console
token may run. The page itself runs in tests/browser/test_console.py."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import httpx
import pytest
import sqlalchemy as sa
from support import codes
from support_policies import client_token

from partyplan.resolvers.policies.rules import document_id
from partyplan.server import assets, console, console_client
from partyplan.server.app import create_app
from partyplan.server.demo_sign_in import demo_password, set_passwords

ROOT = Path(__file__).resolve().parents[2]
CONSOLE_FILES = ROOT / "server" / "static" / "console"


class Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.found: list[dict[str, str | None]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("script", "link"):
            self.found.append({"tag": tag, **dict(attrs)})


async def test_the_page_is_served_with_strict_headers_and_only_local_assets(client) -> None:  # type: ignore[no-untyped-def]
    response = await client.get("/console/")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    policy = response.headers["content-security-policy"]
    for directive in ("default-src 'none'", "connect-src 'self'", "frame-ancestors 'none'"):
        assert directive in policy
    assert response.headers["x-frame-options"] == "DENY"
    assert not re.search(r"(https?:)?//", response.text)  # no address of another host
    tags = Tags()
    tags.feed(response.text)
    vendored = [t for t in tags.found if (t.get("src") or t.get("href") or "").startswith("/")]
    assert {t["tag"] for t in vendored} == {"script", "link"}
    for tag in vendored:
        url = str(tag.get("src") or tag.get("href"))
        assert url.startswith(assets.PREFIX + "/")
        assert tag["integrity"] == assets.integrity(url)
        assert (await client.get(url)).status_code == 200
    assert (await client.get("/console", follow_redirects=False)).headers["location"] == (
        "/console/"
    )


async def test_own_files_are_revalidated_and_nothing_else_is_served(client) -> None:  # type: ignore[no-untyped-def]
    first = await client.get("/console/main.js")
    assert first.status_code == 200
    assert first.headers["content-type"].startswith("text/javascript")
    assert first.headers["cache-control"] == "no-cache"
    again = await client.get("/console/main.js", headers={"If-None-Match": first.headers["etag"]})
    assert again.status_code == 304 and again.content == b""
    for path in (
        "/console/index.html",  # only at /console/, with its libraries' tags
        "/console/missing.js",
        "/console/../app.py",
        "/console/%2e%2e/app.py",
        "/console/pages/../../console.py",
        "/console/%00.js",
    ):
        assert (await client.get(path)).status_code == 404, path


async def test_the_configuration_names_the_client_and_every_document(client, settings) -> None:  # type: ignore[no-untyped-def]
    config = (await client.get("/console/config.json")).json()
    assert config["clientId"] == console_client.CLIENT_ID
    assert config["redirectUri"] == f"{settings.public_url}/console/"
    assert config["scope"] == "read record"
    shipped = sorted((ROOT / "documents").glob("console-*.graphql"))
    assert len(config["documents"]) == len(shipped) > 0
    for path in shipped:
        name = path.stem.removeprefix("console-")
        assert config["documents"][name] == document_id(path.read_text(encoding="utf-8"))
    assert "secret" not in str(config).lower()


def test_every_module_import_and_every_document_the_page_names_exists() -> None:
    """A typo in an import or a document name would show only in a browser; caught here."""
    files = console.own_files(CONSOLE_FILES)
    documents = console.documents()
    named: set[str] = set()
    for name, item in files.items():
        if not name.endswith(".js"):
            continue
        text = item.data.decode("utf-8")
        for target in re.findall(r"""^import .* from "(\.[^"]+)";$""", text, re.MULTILINE):
            resolved = (Path("/") / name).parent.joinpath(target).resolve().as_posix()[1:]
            assert resolved in files, f"{name} imports {target}"
        named |= set(re.findall(r"""api\.call\("([a-z-]+)\"""", text))
        named |= set(re.findall(r"""document: "([a-z-]+)\"""", text))
    assert named and named <= set(documents), named - set(documents)


async def test_the_client_is_registered_and_refreshed_but_never_reenabled(
    owner_engine, world, settings
) -> None:  # type: ignore[no-untyped-def]
    async def row() -> Any:
        async with owner_engine.connect() as conn:
            return (
                await conn.execute(
                    sa.text(
                        "SELECT kind, redirect_uris, allowed_origins, allowed_scopes, active,"
                        " trusted_documents_only, secret_hash, unit_id FROM oauth_clients"
                        " WHERE client_id = :c"
                    ),
                    {"c": console_client.CLIENT_ID},
                )
            ).one()

    async with owner_engine.begin() as conn:
        assert await console_client.register(conn, settings)
    first = await row()
    assert first.kind == "front_end" and first.secret_hash is None
    assert first.redirect_uris == [f"{settings.public_url}/console/"]
    assert first.allowed_scopes == ["read", "record"] and first.trusted_documents_only
    assert first.unit_id == world.units["commission"]

    moved = settings.model_copy(update={"public_url": "https://partyplan.example.edu.cn"})
    async with owner_engine.begin() as conn:
        await conn.execute(
            sa.text("UPDATE oauth_clients SET active = false WHERE client_id = :c"),
            {"c": console_client.CLIENT_ID},
        )
        assert await console_client.register(conn, moved)
    second = await row()
    assert second.redirect_uris == ["https://partyplan.example.edu.cn/console/"]
    assert second.allowed_origins == ["https://partyplan.example.edu.cn"]
    assert second.active is False  # an administrator's decision survives the restart


async def test_nothing_is_registered_before_a_commission_exists(owner_engine, settings) -> None:  # type: ignore[no-untyped-def]
    async with owner_engine.begin() as conn:
        assert not await console_client.register(conn, settings)
        assert await conn.scalar(sa.text("SELECT count(*) FROM oauth_clients")) == 0


async def test_the_lifespan_registers_the_console(platform, owner_engine, world) -> None:  # type: ignore[no-untyped-def]
    app = create_app(platform, manage_platform=False)
    async with app.router.lifespan_context(app):
        pass
    async with owner_engine.connect() as conn:
        found = await conn.scalar(
            sa.text("SELECT count(*) FROM oauth_clients WHERE client_id = :c"),
            {"c": console_client.CLIENT_ID},
        )
    assert found == 1


@pytest.fixture
async def console_token(owner_engine, world, settings, platform):  # type: ignore[no-untyped-def]
    async with owner_engine.begin() as conn:
        await console_client.register(conn, settings)

    def token(account: str) -> str:
        return client_token(
            platform, world, account, console_client.CLIENT_ID, scope=console_client.SCOPE
        )

    return token


async def by_name(client: httpx.AsyncClient, name: str, variables: Any, token: str | None) -> Any:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    body = {"documentId": console.documents()[name], "variables": variables}
    return await client.post("/graphql", json=body, headers=headers)


async def test_a_console_token_runs_the_console_documents_and_nothing_else(
    client, console_token
) -> None:  # type: ignore[no-untyped-def]
    token = console_token("commission_admin")
    session = await by_name(client, "session", {}, token)
    assert session.status_code == 200 and "errors" not in session.json(), session.text
    assert session.json()["data"]["me"]["user"]["username"] == "commission-admin"
    free_text = await client.post(
        "/graphql",
        json={"query": "{ me { user { id } } }"},
        headers={"Authorization": f"Bearer {token}"},
    )
    assert free_text.status_code == 400
    assert codes(free_text.json()) == ["TRUSTED_DOCUMENTS_ONLY"]


async def test_the_console_documents_keep_the_apis_locks(client, console_token, world) -> None:  # type: ignore[no-untyped-def]
    period = "UGxhblBlcmlvZDox"  # no period needs to exist for the locks to hold
    variables = {"unitId": world.gid("B"), "periodId": period}
    anonymous = await by_name(client, "session", {}, None)
    assert codes(anonymous.json()) == ["UNAUTHENTICATED"]
    # The province roll-up is over an anonymous request's budget: refused before it runs.
    costly = await by_name(client, "rollup", variables, None)
    assert codes(costly.json()) == ["QUERY_TOO_COSTLY"] and not costly.json().get("data")
    other_school = await by_name(client, "rollup", variables, console_token("school_admin"))
    assert codes(other_school.json()) == ["NOT_FOUND"]
    no_role = await by_name(client, "warnings", {"first": 5}, console_token("nobody"))
    assert codes(no_role.json()) == ["FORBIDDEN"]


def test_the_demo_password_is_made_once_and_kept_private(tmp_path: Path) -> None:
    password = demo_password(tmp_path / "data")
    assert len(password) >= 16
    assert demo_password(tmp_path / "data") == password
    assert (tmp_path / "data" / "demo-password").stat().st_mode & 0o777 == 0o600
    assert demo_password(tmp_path / "other") != password


async def test_demo_passwords_never_overwrite_a_changed_one(owner_engine, world) -> None:  # type: ignore[no-untyped-def]
    async with owner_engine.begin() as conn:
        await set_passwords(conn, ["school-admin"], "first password 甲")
        before = await conn.scalar(
            sa.text("SELECT password_hash FROM user_credentials WHERE user_id = :u"),
            {"u": world.users["school_admin"]},
        )
        await set_passwords(conn, ["school-admin"], "second password 乙")
        after = await conn.scalar(
            sa.text("SELECT password_hash FROM user_credentials WHERE user_id = :u"),
            {"u": world.users["school_admin"]},
        )
    assert before == after


def test_the_package_ships_the_console_and_its_documents() -> None:
    """Package data as setuptools reads it: recursive globs under each package's folder."""
    import glob
    import tomllib

    data = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]

    def shipped(package: str, folder: Path) -> set[Path]:
        return {
            Path(found).resolve()
            for pattern in data["package-data"][package]
            for found in glob.glob(str(folder / pattern), recursive=True)
        }

    server = shipped("partyplan.server", ROOT / "server")
    for name in console.own_files(CONSOLE_FILES):
        assert (CONSOLE_FILES / name).resolve() in server, name
    top = shipped("partyplan", ROOT)
    for path in (ROOT / "documents").glob("console-*.graphql"):
        assert path.resolve() in top, path.name
