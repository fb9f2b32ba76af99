"""What the container image does, done without a container runtime (``deploy/build-image.sh``
is the real build): the wheel built from the build context (``.dockerignore``), installed into
a fresh virtualenv, and ``partyplan serve`` started from it with the image's environment
(``deploy/Dockerfile``'s ``ENV`` and ``CMD``) and the Deployment's (``deploy/kubernetes``): the
service role's URL only, the keys given read-only from outside, as the image's uid when the
test runs as root. It must answer ``/readyz`` and a GraphQL query against PostgreSQL 15.

The virtualenv gets the project's dependencies from the test's own environment (a ``.pth``
onto a copy of its site-packages without partyplan): the registries' downloads are not what
is tested here, the wheel's content and its entry point are."""

from __future__ import annotations

import fnmatch
import json
import os
import re
import shutil
import signal
import site
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml
from support_streaming import StreamingPair, available

ROOT = Path(__file__).resolve().parents[2]
DOCKERFILE = ROOT / "deploy" / "Dockerfile"
MANIFEST = ROOT / "deploy" / "kubernetes" / "partyplan.yaml"
IMAGE_UID = 10001
APP_ROLE = "partyplan_app"

pytestmark = pytest.mark.skipif(not available(), reason="no PostgreSQL 15 binaries")


def image_env() -> dict[str, str]:
    """The Dockerfile's ``ENV`` (its one instruction, continued over lines)."""
    text = DOCKERFILE.read_text(encoding="utf-8").replace("\\\n", " ")
    [line] = [line for line in text.splitlines() if line.startswith("ENV ")]
    return dict(pair.split("=", 1) for pair in line[4:].split())


def image_cmd() -> list[str]:
    [line] = [line for line in DOCKERFILE.read_text().splitlines() if line.startswith("CMD ")]
    return json.loads(line[4:])


def deployment_env() -> dict[str, Any]:
    deployment = next(
        d
        for d in yaml.safe_load_all(MANIFEST.read_text(encoding="utf-8"))
        if d["kind"] == "Deployment"
    )
    [container] = deployment["spec"]["template"]["spec"]["containers"]
    return {e["name"]: e.get("value", e.get("valueFrom")) for e in container["env"]}


def _ignored() -> list[str]:
    lines = (ROOT / ".dockerignore").read_text().splitlines()
    return [line.strip() for line in lines if line.strip() and not line.startswith("#")]


def _context(into: Path) -> Path:
    """The build context: the repository without what ``.dockerignore`` leaves out."""
    patterns = _ignored()

    def ignore(directory: str, names: list[str]) -> set[str]:
        return {n for n in names if any(fnmatch.fnmatch(n, p) for p in patterns)}

    return Path(shutil.copytree(ROOT, into, ignore=ignore))


def _dependencies(into: Path) -> Path:
    """This environment's installed distributions, partyplan (an editable install) left out."""
    into.mkdir()
    for source in map(Path, site.getsitepackages()):
        for entry in source.iterdir():
            name = entry.name.lower()
            if name.startswith(("partyplan", "__editable__", "_partyplan")) or name.endswith(
                ".pth"
            ):
                continue
            if not (into / entry.name).exists():
                (into / entry.name).symlink_to(entry)
    return into


# Run by the fresh virtualenv's interpreter (its markers: a stand-in Python may need more):
# the requirements of the installed partyplan and of its dependencies, transitively, that its
# environment does not meet.
_UNMET = """
import importlib.metadata as m, json
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name as canon
unmet, seen, queue = [], set(), [("partyplan", frozenset())]
while queue:
    name, extras = queue.pop()
    for line in m.requires(name) or []:
        r = Requirement(line)
        if r.marker is not None and not any(
            r.marker.evaluate({"extra": e}) for e in (*extras, "")
        ):
            continue
        try:
            ok = r.specifier.contains(m.version(r.name), prereleases=True)
        except m.PackageNotFoundError:
            ok = False
        if not ok:
            unmet.append(str(r).split(";")[0])
        elif (canon(r.name), frozenset(r.extras)) not in seen:
            seen.add((canon(r.name), frozenset(r.extras)))
            queue.append((r.name, frozenset(r.extras)))
print(json.dumps(sorted(set(unmet))))
"""


def _unmet(python: Path) -> list[str]:
    return json.loads(_run(python, "-c", _UNMET).stdout)


def _run(*args: Any, **kwargs: Any) -> subprocess.CompletedProcess:
    done = subprocess.run(
        [str(a) for a in args], capture_output=True, text=True, timeout=240, **kwargs
    )
    assert done.returncode == 0, (args, done.stdout[-3000:], done.stderr[-3000:])
    return done


def _python() -> str:
    """The interpreter of the fresh virtualenv: this one, or as root the system's Python 3.11
    when this one lies where the image's uid cannot reach it (a pyenv under /root)."""
    here = Path(sys.base_prefix)
    if os.geteuid() != 0 or all(os.stat(p).st_mode & 0o001 for p in (here, *here.parents)):
        return sys.executable
    system = Path(f"/usr/bin/python{sys.version_info.major}.{sys.version_info.minor}")
    return str(system) if system.exists() else sys.executable


@pytest.fixture(scope="module")
def scratch() -> Iterator[Path]:
    """A directory the image's uid may traverse (pytest's own are private to root)."""
    root = Path(tempfile.mkdtemp(prefix="pp-image-", dir="/tmp"))
    root.chmod(0o755)
    yield root
    shutil.rmtree(root, ignore_errors=True)


@pytest.fixture(scope="module")
def venv(scratch: Path) -> Path:
    """A fresh virtualenv with the wheel of the build context installed (the image's stages)."""
    root = scratch
    wheels = root / "wheels"
    context = _context(root / "src")
    # The image's first stage: `pip wheel .` (the build backend in its own isolated env).
    _run(
        sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "--wheel-dir", wheels, context
    )
    [wheel] = wheels.glob("partyplan-*.whl")
    venv = root / "venv"
    _run(_python(), "-m", "venv", "--without-pip", venv)
    packages = next(venv.glob("lib/python*/site-packages"))
    (packages / "dependencies.pth").write_text(f"{_dependencies(root / 'deps')}\n")
    # As the image does, by name from the wheel directory, nothing from an index; the
    # dependencies are this environment's (checked against the wheel's metadata below).
    python = venv / "bin" / "python"
    _run(
        sys.executable,
        "-m",
        "pip",
        "--python",
        python,
        "install",
        "--quiet",
        "--no-index",
        "--no-deps",
        "--find-links",
        wheels,
        "partyplan",
    )
    missing = _unmet(python)
    if missing and python.resolve() != Path(sys.executable).resolve():
        # A stand-in interpreter (the system's, as root) whose markers ask for more (e.g.
        # async-timeout below Python 3.11.3): into the fresh venv only, never the shared one.
        _run(
            sys.executable,
            "-m",
            "pip",
            "--python",
            python,
            "install",
            "--quiet",
            "--no-deps",
            *missing,
        )
    assert _unmet(python) == []
    shown = _run(venv / "bin" / "python", "-c", "import partyplan; print(partyplan.__file__)")
    assert shown.stdout.startswith(str(packages)), shown.stdout  # the wheel's, not the tree's
    assert wheel.exists() and (venv / "bin" / "partyplan").exists()
    shutil.rmtree(context)
    return venv


@pytest.fixture(scope="module")
def database() -> Iterator[StreamingPair]:
    """A PostgreSQL 15 server (the machine's packages), migrated by the owner as the
    migration Job does."""
    pair = StreamingPair()
    try:
        pair.start(standby=False)
        yield pair
    finally:
        pair.close()


def _clean_env(**values: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PARTYPLAN_", "VIRTUAL_ENV"))}
    env.pop("PYTHONPATH", None)
    return {**env, **values}


def _given_keys(venv: Path, into: Path, uid: int) -> tuple[Path, Path]:
    """The operator's key directory, made with ``keys init``, and the Secret of its two files
    mounted as the manifest mounts it: mode 0440, group the pod's fsGroup (the image's uid),
    the directory read-only."""
    made = into / "made"
    _run(venv / "bin" / "partyplan", "keys", "init", "--key-dir", made, env=_clean_env())
    mount = into / "partyplan-keys"
    mount.mkdir()
    for name in ("signing-key.json", "pii-key"):
        shutil.copyfile(made / name, mount / name)
        os.chmod(mount / name, 0o440)
        if os.geteuid() == 0:
            os.chown(mount / name, 0, uid)
    if os.geteuid() == 0:
        os.chown(mount, 0, uid)
    os.chmod(mount, 0o550)
    return made, mount


def _wait_ready(base: str, proc: subprocess.Popen, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            out, err = proc.communicate()
            raise AssertionError(f"serve exited {proc.returncode}: {out[-2000:]!r} {err[-3000:]!r}")
        try:
            if httpx.get(f"{base}/readyz", timeout=2).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.2)
    raise AssertionError("serve did not become ready")


def test_the_wheel_in_a_fresh_venv_serves_as_the_image_does(
    venv: Path, database: StreamingPair, scratch: Path
) -> None:
    tmp_path = scratch / "run"
    tmp_path.mkdir(mode=0o755)
    uid = IMAGE_UID if os.geteuid() == 0 else os.geteuid()
    partyplan = venv / "bin" / "partyplan"
    owner_url = database.owner_url
    # The migration Job, then the first installation (docs/operations.md), as the owner.
    owner = _clean_env(PARTYPLAN_DATABASE_URL=owner_url, PARTYPLAN_DATA_DIR=str(tmp_path / "op"))
    assert "revision:" in _run(partyplan, "db", "upgrade", env=owner).stdout
    made, keys = _given_keys(venv, tmp_path, uid)
    owner["PARTYPLAN_KEY_DIR"] = str(made)  # the operator's copy: the token is signed with it
    _run(
        partyplan,
        "init",
        "--commission-name",
        "中共山西省委教育工作委员会",
        "--commission-code",
        "SX-JGW",
        "--region-code",
        "14",
        "--admin-username",
        "sx-admin",
        "--admin-name",
        "组织部",
        env=owner,
    )
    token = _run(partyplan, "token", "--user", "sx-admin", env=owner).stdout.strip()

    # The image's environment and command, the Deployment's settings, the Secret's values.
    port = 20000 + os.getpid() % 20000
    env = _clean_env(**image_env(), HOME=str(tmp_path))
    assert env["PARTYPLAN_ENVIRONMENT"] == "production" and env["PARTYPLAN_KEYS_READONLY"] == "true"
    env["PARTYPLAN_KEY_DIR"] = str(keys)  # the Secret's mount point, here
    secrets = {
        "PARTYPLAN_APP_DATABASE_URL": StreamingPair.url(database.primary_port, APP_ROLE),
        "PARTYPLAN_METRICS_TOKEN": "m" * 32,
    }
    for name, value in deployment_env().items():
        env[name] = secrets[name] if isinstance(value, dict) else str(value)
    assert "PARTYPLAN_DATABASE_URL" not in env  # the service role's URL only
    command = image_cmd()
    assert command[0] == "partyplan"
    command[command.index("--port") + 1] = str(port)
    proc = subprocess.Popen(
        [str(venv / "bin" / command[0]), *command[1:]],
        env=env,
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        **({"user": uid, "group": uid, "extra_groups": []} if os.geteuid() == 0 else {}),
    )
    base = f"http://127.0.0.1:{port}"
    try:
        _wait_ready(base, proc)
        answer = httpx.post(
            f"{base}/graphql",
            json={"query": "{ units(first: 5) { edges { node { name code } } } }"},
            headers={"Authorization": f"Bearer {token}"},
            timeout=10,
        )
        assert answer.status_code == 200, answer.text
        [edge] = answer.json()["data"]["units"]["edges"]
        assert edge["node"] == {"name": "中共山西省委教育工作委员会", "code": "SX-JGW"}
        # Production: no GraphiQL, no GET queries.
        assert httpx.get(f"{base}/graphql?query={{__typename}}", timeout=5).status_code != 200
        metrics = httpx.get(
            f"{base}/metrics", headers={"Authorization": f"Bearer {'m' * 32}"}, timeout=5
        )
        assert metrics.status_code == 200 and "partyplan_http_requests_total" in metrics.text
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            out, err = proc.communicate(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            out, err = proc.communicate()
    # Shut down gracefully: uvicorn re-raises the SIGTERM once done (server/platform.py).
    assert proc.returncode in (0, -signal.SIGTERM), (out.decode()[-2000:], err.decode()[-2000:])
    # The keys were only read: nothing was written beside them.
    assert sorted(os.listdir(keys)) == ["pii-key", "signing-key.json"]
    assert not re.search(r"Traceback", err.decode())
