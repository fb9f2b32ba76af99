"""Vendored browser assets: third-party files taken from npm packages, committed under
``server/static/vendor/<package>@<version>/<path in the tarball>`` and served by the platform
itself under ``/assets/vendor/…`` (an intranet reaches no CDN).

``server/static/vendor.json`` is the manifest: for each file its npm package, exact version,
path inside the package tarball and SHA-256. Invariants, held by ``partyplan assets verify``
and ``tests/server/test_assets.py``:

- every file under ``static/vendor/`` is in the manifest and hashes to its SHA-256;
- only files of the manifest are served (a dictionary lookup: no path reaches outside it), and
  their URL names the exact version, so a browser may cache them for a year.

Node is needed by nobody at run time or to install: ``partyplan assets fetch`` (a developer
changing a version) runs ``npm pack`` to re-download the tarballs and checks, or with
``--write`` refreshes, the committed files and their hashes.
"""

from __future__ import annotations

import base64
import hashlib
import json
import mimetypes
import shutil
import subprocess
import tarfile
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass, replace
from functools import cache
from pathlib import Path, PurePosixPath

from starlette.requests import Request
from starlette.responses import FileResponse, PlainTextResponse, Response
from starlette.routing import Route

STATIC_DIR = Path(__file__).resolve().parent / "static"
VENDOR_DIR = STATIC_DIR / "vendor"
MANIFEST = STATIC_DIR / "vendor.json"
#: Where the vendored files are served; ``<package>@<version>/<path>`` follows.
PREFIX = "/assets/vendor"
#: The URL names the exact version and the file never changes under it.
CACHE_CONTROL = "public, max-age=31536000, immutable"
#: Explicit, not the host's mimetypes table (which differs between systems for ``.js``).
CONTENT_TYPES = {
    ".js": "text/javascript; charset=utf-8",
    ".mjs": "text/javascript; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".json": "application/json",
    ".map": "application/json",
    ".svg": "image/svg+xml",
    ".woff2": "font/woff2",
    ".woff": "font/woff",
}
NPM_TIMEOUT_SECONDS = 300


class AssetError(Exception):
    """A manifest that does not describe its files, or a download that failed."""


@dataclass(frozen=True)
class VendoredFile:
    package: str  # e.g. "@graphiql/plugin-explorer"
    version: str  # exact, e.g. "1.0.2"
    path: str  # inside the package tarball, e.g. "dist/index.umd.js"
    sha256: str  # hex

    @property
    def spec(self) -> str:
        return f"{self.package}@{self.version}"

    @property
    def relative(self) -> str:
        """Path under ``static/vendor/`` and under ``PREFIX``."""
        return f"{self.spec}/{self.path}"

    @property
    def url(self) -> str:
        return f"{PREFIX}/{self.relative}"

    def local(self, root: Path = VENDOR_DIR) -> Path:
        return root.joinpath(*self.relative.split("/"))


def _safe_parts(text: str, what: str) -> None:
    """A manifest path is relative, with no ``..``, no empty and no hidden segment: it names
    a file under the vendor folder and nothing else."""
    parts = text.split("/")
    if not text or text.startswith("/") or "\\" in text:
        raise AssetError(f"{what} {text!r} is not a relative POSIX path")
    for part in parts:
        if part in ("", ".", "..") or part.startswith("."):
            raise AssetError(f"{what} {text!r} has a forbidden segment {part!r}")


def load_manifest(path: Path = MANIFEST, *, require_hashes: bool = True) -> list[VendoredFile]:
    """The manifest's files, validated. ``require_hashes=False`` lets ``fetch --write`` fill
    in the hashes of a file just added or of a version just changed."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        entries = data["files"]
    except (OSError, ValueError, KeyError, TypeError) as error:
        raise AssetError(f"{path.name}: not a manifest ({error})") from error
    files: list[VendoredFile] = []
    seen: set[str] = set()
    for index, entry in enumerate(entries):
        try:
            item = VendoredFile(
                str(entry["package"]),
                str(entry["version"]),
                str(entry["path"]),
                str(entry.get("sha256") or ""),
            )
        except (KeyError, TypeError) as error:
            raise AssetError(f"{path.name}: files.{index}: missing {error}") from error
        _safe_parts(item.package.removeprefix("@"), f"files.{index}.package")
        if item.package.count("/") > (1 if item.package.startswith("@") else 0):
            raise AssetError(f"files.{index}.package {item.package!r} is not an npm name")
        if not item.version or "/" in item.version or item.version.startswith("."):
            raise AssetError(f"files.{index}.version {item.version!r} is not an exact version")
        _safe_parts(item.path, f"files.{index}.path")
        valid_hash = len(item.sha256) == 64 and all(c in "0123456789abcdef" for c in item.sha256)
        if require_hashes and not valid_hash:
            raise AssetError(f"files.{index}.sha256 of {item.relative} is not a SHA-256")
        if item.relative in seen:
            raise AssetError(f"files.{index}: {item.relative} is listed twice")
        seen.add(item.relative)
        files.append(item)
    return files


def save_manifest(files: Iterable[VendoredFile], path: Path = MANIFEST) -> None:
    entries = [
        {"package": f.package, "version": f.version, "path": f.path, "sha256": f.sha256}
        for f in sorted(files, key=lambda f: (f.package, f.path))
    ]
    path.write_text(json.dumps({"files": entries}, indent=2) + "\n", encoding="utf-8")


def sha256_of(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def sri_of(path: Path) -> str:
    """The Subresource Integrity value of a file (``sha384-…``, as the CDNs publish)."""
    return "sha384-" + base64.b64encode(hashlib.sha384(path.read_bytes()).digest()).decode()


def _on_disk(root: Path) -> set[str]:
    if not root.is_dir():
        return set()
    return {p.relative_to(root).as_posix() for p in root.rglob("*") if not p.is_dir()}


def verify(files: list[VendoredFile], root: Path = VENDOR_DIR) -> list[str]:
    """Offline: each problem with the committed files (missing, altered, or not listed)."""
    problems = []
    for item in files:
        local = item.local(root)
        if not local.is_file():
            problems.append(f"{item.relative}: missing")
        elif sha256_of(local) != item.sha256:
            problems.append(f"{item.relative}: SHA-256 differs from the manifest")
    listed = {item.relative for item in files}
    problems += [f"{extra}: not in the manifest" for extra in sorted(_on_disk(root) - listed)]
    return problems


def npm_pack(spec: str, into: Path, npm: str = "npm") -> Path:
    """Download one package tarball with the npm client (its registry, proxy and integrity
    check), running none of the package's scripts."""
    try:
        done = subprocess.run(
            [npm, "pack", spec, "--json", "--ignore-scripts", "--pack-destination", str(into)],
            capture_output=True,
            text=True,
            timeout=NPM_TIMEOUT_SECONDS,
            cwd=into,
        )
    except (OSError, subprocess.TimeoutExpired) as error:
        raise AssetError(f"npm pack {spec}: {error}") from error
    if done.returncode != 0:
        tail = (done.stderr.strip().splitlines() or ["(no output)"])[-1]
        raise AssetError(f"npm pack {spec} failed: {tail}")
    try:
        filename = json.loads(done.stdout)[0]["filename"]
    except (ValueError, LookupError, TypeError) as error:
        raise AssetError(f"npm pack {spec}: unexpected output") from error
    return into / PurePosixPath(filename).name


def _member(tarball: Path, path: str) -> bytes:
    """One file of a tarball, by its path under the tarball's single top folder (``package/``
    for most); read in memory, never extracted to disk."""
    with tarfile.open(tarball, "r:gz") as archive:
        for member in archive.getmembers():
            parts = PurePosixPath(member.name).parts
            if member.isfile() and "/".join(parts[1:]) == path:
                stream = archive.extractfile(member)
                assert stream is not None
                return stream.read()
    raise AssetError(f"{tarball.name}: no {path}")


def fetch(
    files: list[VendoredFile],
    root: Path = VENDOR_DIR,
    *,
    write: bool = False,
    npm: str = "npm",
) -> tuple[list[VendoredFile], list[str]]:
    """Re-download every package of the manifest and compare each file with the tarball's.
    Without ``write``: the problems found (files are left alone). With ``write``: each file
    is (re)written from its tarball, files no longer listed are removed from ``root``, and
    the returned files carry the tarballs' hashes (for ``save_manifest``)."""
    problems: list[str] = []
    refreshed: list[VendoredFile] = []
    with tempfile.TemporaryDirectory(prefix="partyplan-npm-") as temp:
        tarballs: dict[str, Path] = {}
        for item in files:
            if item.spec not in tarballs:
                tarballs[item.spec] = npm_pack(item.spec, Path(temp), npm)
            content = _member(tarballs[item.spec], item.path)
            digest = hashlib.sha256(content).hexdigest()
            refreshed.append(replace(item, sha256=digest))
            if write:
                local = item.local(root)
                local.parent.mkdir(parents=True, exist_ok=True)
                local.write_bytes(content)
            elif digest != item.sha256:
                problems.append(f"{item.relative}: the manifest's SHA-256 is not the tarball's")
            elif not item.local(root).is_file() or item.local(root).read_bytes() != content:
                problems.append(f"{item.relative}: the committed file is not the tarball's")
    if write:
        listed = {item.relative for item in files}
        for extra in _on_disk(root) - listed:
            root.joinpath(*extra.split("/")).unlink()
        for folder in sorted((p for p in root.rglob("*") if p.is_dir()), reverse=True):
            if not any(folder.iterdir()):
                folder.rmdir()
    return refreshed, problems


def npm_available(npm: str = "npm") -> bool:
    return shutil.which(npm) is not None


@cache
def _served() -> dict[str, VendoredFile]:
    return {item.relative: item for item in load_manifest()}


@cache
def integrity(url: str) -> str:
    """The SRI value of a served file, computed from the committed file (not copied from
    anywhere), so the browser checks exactly what the platform serves."""
    item = _served()[url.removeprefix(PREFIX + "/")]
    return sri_of(item.local())


def lookup(package: str, version: str, path: str) -> VendoredFile | None:
    return _served().get(f"{package}@{version}/{path}")


def vendored(package: str, path: str) -> VendoredFile:
    """The one vendored version of ``package``'s file ``path`` (a page names its libraries
    without their version, so a version change in the manifest is the only edit);
    :class:`AssetError` when the manifest lacks it or holds more than one version."""
    found = [f for f in _served().values() if f.package == package and f.path == path]
    if len(found) != 1:
        raise AssetError(f"{package}/{path}: {len(found)} vendored versions, expected one")
    return found[0]


def content_type(path: str) -> str:
    suffix = PurePosixPath(path).suffix.lower()
    return CONTENT_TYPES.get(suffix) or mimetypes.guess_type(path)[0] or "application/octet-stream"


async def serve(request: Request) -> Response:
    item = _served().get(request.path_params["path"])
    if item is None:
        # Anything not listed, traversal attempts included, is simply not there.
        return PlainTextResponse("not found", status_code=404)
    return FileResponse(
        item.local(),
        media_type=content_type(item.path),
        headers={"Cache-Control": CACHE_CONTROL, "X-Content-Type-Options": "nosniff"},
    )


def routes() -> list[Route]:
    return [Route(PREFIX + "/{path:path}", serve, methods=["GET", "HEAD"])]


def command(action: str, write: bool = False) -> int:
    """``partyplan assets verify`` (offline) / ``partyplan assets fetch [--write]``."""
    try:
        if action == "verify":
            files = load_manifest()
            problems = verify(files)
            for problem in problems:
                print(problem)
            print(
                f"{len(files)} vendored file(s) match the manifest"
                if not problems
                else f"{len(problems)} problem(s) found"
            )
            return 1 if problems else 0
        if not npm_available():
            print("partyplan assets fetch needs the npm client (Node.js)")
            return 2
        files = load_manifest(require_hashes=not write)
        refreshed, problems = fetch(files, write=write)
        if write:
            save_manifest(refreshed)
            print(f"wrote {len(refreshed)} file(s) and their hashes into {MANIFEST.name}")
            return 0
        for problem in problems:
            print(problem)
        print(
            f"{len(files)} vendored file(s) match their npm tarballs"
            if not problems
            else f"{len(problems)} problem(s) found"
        )
        return 1 if problems else 0
    except AssetError as error:
        print(f"partyplan assets {action}: {error}")
        return 2
