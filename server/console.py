"""The console (``/console``): the commission's and the schools' web page over the API.

A single page written as plain ES modules (``static/console/``) on Vue 3, Element Plus and
ECharts, whose published browser builds are vendored like GraphiQL's (``server/assets.py``):
there is no build step, so what is committed is what runs, and no Node.js is needed to install,
run or test the platform.

How it reaches the API (docs/console.md):

- **Sign-in** is the platform's own OAuth2 authorization code flow with PKCE, as the public
  client ``partyplan-console`` (:mod:`.console_client`, registered at startup), with
  ``redirect_uri`` = ``<public_url>/console/``. The page keeps its tokens in the tab's
  ``sessionStorage`` only.
- **Documents.** Every GraphQL document the page sends is a platform document
  (``documents/console-*.graphql``), sent by id: the page's configuration maps each name to its
  id, so the text validated at startup is the text that runs, under the client's full budget;
  the client is registered ``trusted_documents_only``, so a stolen console token runs nothing
  else.
- **Headers.** A strict ``Content-Security-Policy`` (scripts, styles and connections of this
  origin only, no framing). ``'unsafe-eval'`` is allowed for scripts because Vue compiles the
  page's own templates in the browser; no template is ever built from data (every value is
  bound through ``{{ }}`` or ``:prop``, which escape), so there is no template to inject.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response
from starlette.routing import Route

from partyplan.resolvers.policies import rules as document_rules
from partyplan.resolvers.policies.repository import read_document_files
from partyplan.schema.policies.admission import PLATFORM_DOCUMENTS

from . import assets
from .console_client import CLIENT_ID, SCOPE, redirect_uri
from .settings import Settings

CONSOLE_DIR = assets.STATIC_DIR / "console"
PREFIX = "/console"
#: The page loads the libraries as classic scripts (their UMD builds set globals), in order.
LIBRARIES = (
    ("vue", "dist/vue.global.prod.js"),
    ("element-plus", "dist/index.full.min.js"),
    ("element-plus", "dist/locale/zh-cn.min.js"),
    ("echarts", "dist/echarts.min.js"),
)
STYLESHEETS = (("element-plus", "dist/index.css"),)
HEADERS = {
    "Content-Security-Policy": (
        "default-src 'none'; script-src 'self' 'unsafe-eval'; style-src 'self' 'unsafe-inline';"
        " img-src 'self' data:; font-src 'self' data:; connect-src 'self'; base-uri 'none';"
        " form-action 'self'; frame-ancestors 'none'"
    ),
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
}
#: Our own files change with the platform: revalidated on every load (their ETag).
OWN_CACHE = "no-cache"
DOCUMENT_PREFIX = "console-"


@dataclass(frozen=True)
class OwnFile:
    data: bytes
    etag: str
    content_type: str


@cache
def own_files(root: Path = CONSOLE_DIR) -> dict[str, OwnFile]:
    """The console's own files by their path under ``/console/`` (read once: a served file
    cannot be swapped under a running server, and no request path reaches the disk)."""
    files = {}
    for path in sorted(root.rglob("*")):
        if path.is_file() and not path.name.startswith("."):
            name = path.relative_to(root).as_posix()
            data = path.read_bytes()
            digest = hashlib.sha256(data).hexdigest()[:32]
            files[name] = OwnFile(data, f'"{digest}"', assets.content_type(name))
    return files


@cache
def documents(folder: Path = PLATFORM_DOCUMENTS) -> dict[str, str]:
    """``console-overview.graphql`` → ``overview``: the id of each of the page's documents."""
    return {
        name.removeprefix(DOCUMENT_PREFIX).removesuffix(".graphql"): document_rules.document_id(
            data.decode("utf-8")
        )
        for name, data in read_document_files(folder)
        if name.startswith(DOCUMENT_PREFIX)
    }


def library_tags(root_path: str = "") -> str:
    styles = [assets.vendored(package, path) for package, path in STYLESHEETS]
    scripts = [assets.vendored(package, path) for package, path in LIBRARIES]
    lines = [
        f'<link rel="stylesheet" href="{root_path}{item.url}"'
        f' integrity="{assets.integrity(item.url)}">'
        for item in styles
    ]
    lines += [
        f'<script src="{root_path}{item.url}" integrity="{assets.integrity(item.url)}"></script>'
        for item in scripts
    ]
    return "\n    ".join(lines)


@cache
def index_html(root_path: str = "") -> bytes:
    """``index.html`` with the vendored libraries' tags (exact versions, with ``integrity``)."""
    template = own_files()["index.html"].data.decode("utf-8")
    return template.replace("<!-- libraries -->", library_tags(root_path)).encode("utf-8")


def config(settings: Settings) -> dict[str, object]:
    """What the page needs to sign in and to call the API; public (no secret in it)."""
    base = settings.public_url
    return {
        "origin": base,
        "consoleUrl": f"{base}{PREFIX}/",
        "clientId": CLIENT_ID,
        "redirectUri": redirect_uri(settings),
        "scope": SCOPE,
        "authorizeUrl": f"{base}/oauth/authorize",
        "tokenUrl": f"{base}/oauth/token",
        "revokeUrl": f"{base}/oauth/revoke",
        "graphqlUrl": f"{base}/graphql",
        "documents": documents(),
    }


def _etag_response(request: Request, data: bytes, etag: str, content_type: str) -> Response:
    headers = {"ETag": etag, "Cache-Control": OWN_CACHE, **HEADERS}
    if etag in request.headers.get("if-none-match", ""):
        return Response(status_code=304, headers=headers)
    return Response(data, media_type=content_type, headers=headers)


def routes(settings: Settings) -> list[Route]:
    async def page(request: Request) -> Response:
        data = index_html(request.scope.get("root_path", ""))
        etag = '"' + hashlib.sha256(data).hexdigest()[:32] + '"'
        return _etag_response(request, data, etag, "text/html; charset=utf-8")

    async def bare(request: Request) -> Response:
        return RedirectResponse(f"{request.scope.get('root_path', '')}{PREFIX}/", 308)

    async def configuration(request: Request) -> Response:
        return JSONResponse(config(settings), headers={"Cache-Control": "no-store", **HEADERS})

    async def own(request: Request) -> Response:
        name = request.path_params["path"]
        item = own_files().get(name)
        if item is None or name == "index.html":
            return Response("not found", status_code=404, media_type="text/plain")
        return _etag_response(request, item.data, item.etag, item.content_type)

    return [
        Route(PREFIX, bare, methods=["GET", "HEAD"]),
        Route(f"{PREFIX}/", page, methods=["GET", "HEAD"]),
        Route(f"{PREFIX}/config.json", configuration, methods=["GET", "HEAD"]),
        Route(PREFIX + "/{path:path}", own, methods=["GET", "HEAD"]),
    ]
