"""Where a run happens: the database (embedded or given), its URLs, and the machine."""

from __future__ import annotations

import os
import platform
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import psutil
from sqlalchemy.engine import make_url

from partyplan.server.database import app_url_from_owner, with_database
from partyplan.server.settings import Settings

REPO = Path(__file__).resolve().parents[2]
DATABASE = "partyplan"


def libpq(url: str) -> str:
    """A URL libpq, asyncpg and pgbench read (no ``+asyncpg``)."""
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


def find_data_dir(scale: str, given: str | None) -> Path:
    """``--data-dir``, else ``.partyplan/bench-<scale>`` in the working directory or the
    repository root (where ``partyplan bench generate`` puts it by default)."""
    if given:
        return Path(given).expanduser().resolve()
    for base in (Path.cwd(), REPO):
        candidate = base / ".partyplan" / f"bench-{scale}"
        if candidate.is_dir():
            return candidate.resolve()
    return (Path.cwd() / ".partyplan" / f"bench-{scale}").resolve()


@dataclass
class Database:
    """The benchmark database. An embedded one is attached to as the CLI's commands do
    (``server/embedded/ownership.py``): a ``serve`` running on the data directory keeps its
    server; without one, the server is started here and stopped by the last user to detach."""

    owner: str  # SQLAlchemy URL of the owner
    data_dir: Path
    settings: Settings
    embedded: object | None = None

    @classmethod
    def open(cls, data_dir: Path, database_url: str | None) -> Database:
        if database_url:
            owner = with_database(database_url, make_url(database_url).database or DATABASE)
            return cls(owner, data_dir, Settings(data_dir=data_dir, database_url=owner))
        if not (data_dir / "pg").is_dir():
            raise SystemExit(
                f"no benchmark database in {data_dir}: run `partyplan bench "
                "generate` first, or pass --data-dir / --database-url"
            )
        from partyplan.server.embedded import EmbeddedPostgres

        embedded = EmbeddedPostgres(data_dir)
        grants = embedded.traverse_grants()
        if grants:  # as root, said as the CLI says it
            print(f"partyplan: adding o+x to {', '.join(map(str, grants))}", file=sys.stderr)
        owner = with_database(embedded.attach(), DATABASE)
        settings = Settings(data_dir=data_dir, database_url=owner)
        return cls(owner, data_dir, settings, embedded)

    @property
    def owner_dsn(self) -> str:
        return libpq(self.owner)

    @property
    def stats_dsn(self) -> str:
        """The same server's ``postgres`` database: reading the statistics from there never
        counts in the benchmark database's own."""
        return libpq(with_database(self.owner, "postgres"))

    @property
    def app_dsn(self) -> str:
        return libpq(
            app_url_from_owner(self.owner, self.settings.app_role, self.settings.app_password)
        )

    @property
    def name(self) -> str:
        return make_url(self.owner).database or DATABASE

    def close(self) -> None:
        if self.embedded is not None:
            self.embedded.detach()  # type: ignore[attr-defined]


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown CPU"


def _version(cmd: list[str]) -> str:
    try:
        out = subprocess.run(cmd, capture_output=True, text=True, timeout=10)
        return (out.stdout or out.stderr).strip().splitlines()[0]
    except (OSError, IndexError, subprocess.TimeoutExpired):
        return "?"


def _has(module: str) -> bool:
    import importlib.util

    return importlib.util.find_spec(module) is not None


def revision() -> str:
    """The code measured: the commit, and whether the work tree differed from it."""
    described = _version(["git", "-C", str(REPO), "describe", "--always", "--dirty"])
    return "unknown" if described == "?" else described


def machine(pg_version: str) -> str:
    import uvicorn

    http = "httptools" if _has("httptools") else "h11"
    loop = "uvloop" if _has("uvloop") else "asyncio"
    memory = psutil.virtual_memory().total / 2**30
    wrk = _version(["wrk", "--version"]).split(" Copyright")[0]
    return (
        f"{_cpu_model()}, {os.cpu_count()} cores, {memory:.0f} GB; Linux "
        f"{platform.release()}; Python {sys.version.split()[0]}; uvicorn "
        f"{uvicorn.__version__} ({http}, {loop} loop); PostgreSQL {pg_version}; {wrk}"
    )
