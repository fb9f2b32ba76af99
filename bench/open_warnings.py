"""A roll-up's open warnings at province scale, counted live vs read from the tallies (not a unit
test; see bench/README.md).

    python bench/open_warnings.py [--schools 150] [--per-school 150] [--requests 200]

Starts an embedded PostgreSQL in a temporary directory and loads rollup_scale.py's synthetic
province without recruits (a commission, N schools of 8 committees with 6 branches each), two
periods, and warnings written through the tally trigger (timed): per school ``--per-school``
open ones (22,500 at the defaults; most on branches and tied to no period, the rest on schools
and committees in the roll-up's period) beside acknowledged, resolved and other-period ones.
Then it prints, in one run:
  - SQL only: the commission roll-up's open counts (its line and one line per school) by the
    live statement over ``warnings`` that the tallies replaced (``LIVE_OPEN_COUNTS``, kept here
    as the baseline) vs the plain select over ``warning_tallies``, and a school's;
  - end to end in process (ASGI, no HTTP server): ``rollup`` of the commission with
    ``openWarnings`` on every line, counted live (the old resolver patched in) vs from the
    tallies, beside the same roll-up without the field;
  - the write cost: acknowledging a warning (the trigger takes it off its chain's rows) vs an
    update the trigger skips (new evidence);
and ends by checking the tallies against the warnings.
Figures from one machine only compare with figures taken in the same run.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import statistics
import time
from collections.abc import Iterator, Sequence
from datetime import date
from typing import Any

import sqlalchemy as sa
from harness import gid, report, scratch_database, service, timed
from rollup_scale import accounts, load, sql_timing
from sqlalchemy.ext.asyncio import create_async_engine

from partyplan.auth.principal import is_within
from partyplan.resolvers.warnings.repository import stored, tallies
from partyplan.server.database import async_url
from partyplan.tenants.session import Session

LINE = "unitName admitted openWarnings { kind count }"
ROLLUP = f"""query($u: ID!, $p: ID!) {{ rollup(unitId: $u, periodId: $p) {{
  line {{ {LINE} }} children {{ {LINE} }} }} }}"""
PLAIN = ROLLUP.replace(" openWarnings { kind count }", "")

# Every unit below the commission gets ``:branch`` (a branch) or ``:upper`` warnings, kinds
# drawn; 85% open, 10% acknowledged, 5% resolved. A branch's are mostly tied to no period (a
# recruit's), the others the roll-up's period; one in ten of either is the other period's.
WARNINGS = """
INSERT INTO warnings (kind, dedupe_key, unit_id, unit_path, school_id, period_id, message,
                      evidence, status, seen_on)
SELECT (ARRAY['slow_progress','over_plan','rushed','long_term_none','large_swing',
              'overdue_step','missing_data','report_overdue'])[1 + floor(random() * 8)::int],
       'bench:' || u.id || ':' || g, u.id, u.path, u.school_id,
       CASE WHEN u.kind = 'branch' AND random() < 0.8 THEN NULL
            WHEN random() < 0.1 THEN CAST(:other AS bigint) ELSE CAST(:period AS bigint) END,
       '预警', '{}'::jsonb,
       CASE WHEN s.r < 0.85 THEN 'open' WHEN s.r < 0.95 THEN 'acknowledged' ELSE 'resolved' END,
       DATE '2024-07-01'
  FROM units u
  CROSS JOIN LATERAL generate_series(1, CASE u.kind WHEN 'branch' THEN CAST(:branch AS int) ELSE CAST(:upper AS int) END) g
  CROSS JOIN LATERAL (SELECT random() + 0 * g AS r) s
 WHERE u.kind <> 'commission'
"""

# The statement the tallies replaced: every open warning under the lines read and grouped.
LIVE_OPEN_COUNTS = sa.text("""
WITH lines AS (
  SELECT l.path::text AS path, l.period_id, l.ord
    FROM unnest(CAST(:paths AS ltree[]), CAST(:periods AS bigint[])) WITH ORDINALITY
         AS l(path, period_id, ord)
), roots AS (
  SELECT * FROM unnest(CAST(:roots AS ltree[]), CAST(:root_schools AS bigint[]))
         AS r(path, school_id)
), open AS (
  SELECT subpath(w.unit_path, 0, least(nlevel(w.unit_path), CAST(:deepest AS int)))::text
           AS prefix, w.period_id, w.kind, count(*) AS n
    FROM roots r CROSS JOIN LATERAL (
         SELECT * FROM warnings w WHERE r.school_id IS NOT NULL AND w.school_id = r.school_id
            AND w.unit_path <@ r.path
         UNION ALL
         SELECT * FROM warnings w WHERE r.school_id IS NULL AND w.unit_path <@ r.path) w
   WHERE w.status = 'open' AND w.unit_path <@@ CAST(:read AS ltree[])
   GROUP BY 1, 2, 3
)
SELECT l.ord, o.kind, sum(o.n)::bigint AS count
  FROM open o
  CROSS JOIN unnest(CAST(:depths AS int[])) AS d(depth)
  JOIN lines l ON l.path = subpath(CAST(o.prefix AS ltree), 0, d.depth)::text
 WHERE nlevel(CAST(o.prefix AS ltree)) >= d.depth
   AND (o.period_id IS NULL OR o.period_id = l.period_id)
 GROUP BY l.ord, o.kind
""")


def live_params(lines: Sequence[tuple[str, int]], read_paths: list[str]) -> dict[str, Any]:
    def depth(path: str) -> int:
        return path.count(".") + 1

    roots: list[str] = []
    for path in sorted({path for path, _ in lines}, key=depth):
        if not any(is_within(path, root) for root in roots):
            roots.append(path)
    depths = sorted({depth(path) for path, _ in lines})
    return {
        "paths": [path for path, _ in lines],
        "periods": [period for _, period in lines],
        "roots": roots,
        "root_schools": [stored.school_of(root) for root in roots],
        "read": read_paths,
        "depths": depths,
        "deepest": depths[-1],
    }


async def live_open_counts(
    session: Session, lines: Sequence[tuple[str, int]], *, read_paths: list[str]
) -> list[dict[str, int]]:
    """The resolver's repository call as it was before the tallies (same shape)."""
    counts: list[dict[str, int]] = [{} for _ in lines]
    if not lines or not read_paths:
        return counts
    for row in await session.execute(LIVE_OPEN_COUNTS, live_params(lines, read_paths)):
        counts[row.ord - 1][row.kind] = int(row.count)
    return counts


@contextlib.contextmanager
def counted_live() -> Iterator[None]:
    tallied = stored.open_counts
    stored.open_counts = live_open_counts  # type: ignore[assignment]
    try:
        yield
    finally:
        stored.open_counts = tallied  # type: ignore[assignment]


async def main(schools: int, per_school: int, requests: int) -> None:
    # A school: 48 branches (four fifths of its warnings) and 9 units above them; 85% open.
    branch_n = max(1, round(per_school / 0.85 * 0.8 / 48))
    upper_n = max(1, round(per_school / 0.85 * 0.2 / 9))
    async with scratch_database() as (owner, workdir):
        engine = create_async_engine(async_url(owner))
        async with engine.begin() as conn:
            await load(conn, schools, 0)
            ids = await accounts(conn)
            periods = []
            for year in (2023, 2024):
                periods.append(
                    await conn.scalar(
                        sa.text(
                            "INSERT INTO plan_periods (commission_id, commission_path, name, kind,"
                            " starts_on, ends_on, report_due_on, state) VALUES (1, '1', :n,"
                            " 'calendar_year', :s, :e, :e, 'issued') RETURNING id"
                        ),
                        {"n": f"{year} 年度", "s": date(year, 1, 1), "e": date(year, 12, 31)},
                    )
                )
        other, period = periods
        async with engine.begin() as conn:
            began = time.perf_counter()
            await conn.execute(sa.text("SELECT setseed(0.42)"))
            written = await conn.execute(
                sa.text(WARNINGS),
                {"period": period, "other": other, "branch": branch_n, "upper": upper_n},
            )
            seconds = time.perf_counter() - began
        async with engine.connect() as conn:
            # What autovacuum would do after a bulk write (the trigger's updates leave dead rows).
            await conn.execution_options(isolation_level="AUTOCOMMIT")
            await conn.execute(sa.text("VACUUM ANALYZE"))
            counts = (
                await conn.execute(
                    sa.text(
                        "SELECT (SELECT count(*) FROM units) AS units,"
                        " (SELECT count(*) FROM warnings WHERE status = 'open') AS open,"
                        " (SELECT count(*) FROM warning_tallies) AS rows"
                    )
                )
            ).one()
            print(
                f"{counts.units} units; {written.rowcount} warnings ({counts.open} open) written"
                f" through the trigger in {seconds:.1f} s"
                f" ({written.rowcount / seconds:,.0f}/s); {counts.rows} tally rows"
            )
            paths = dict(
                (
                    await conn.execute(
                        sa.text("SELECT id, path::text FROM units WHERE id <= :n"),
                        {"n": schools + 1},
                    )
                ).all()
            )
            province = [(paths[1], period)] + [(paths[s], period) for s in range(2, schools + 2)]
            school = [(paths[ids["school"]], period)]
            for name, lines in (("commission", province), ("school", school)):
                live = await sql_timing(
                    conn, LIVE_OPEN_COUNTS.text, live_params(lines, [paths[1]]), 30
                )
                read = await sql_timing(
                    conn, stored._OPEN_COUNTS.text, stored.open_counts_params(lines, [paths[1]]), 30
                )
                report(f"SQL live count, {name}", live)
                report(f"SQL tallies, {name}", read)
                print(
                    f"  tallies vs live count: {statistics.median(live) / statistics.median(read):.1f}x"
                )

        async with service(owner, workdir) as (platform, client):
            admin = platform.tokens.mint(str(ids["admin"]), 3600)
            variables = {"u": gid("Unit", 1), "p": gid("PlanPeriod", period)}
            with_field = {"query": ROLLUP, "variables": variables}
            without = {"query": PLAIN, "variables": variables}
            await timed(client, 20, lambda i: with_field, admin)  # warm-up
            with counted_live():
                await timed(client, 10, lambda i: with_field, admin)
            # Interleaved rounds, so that a busy machine weighs on the three alike.
            samples: dict[str, list[float]] = {"live": [], "tally": [], "without": []}
            for _ in range(4):
                with counted_live():
                    samples["live"] += await timed(
                        client, requests // 4, lambda i: with_field, admin
                    )
                samples["tally"] += await timed(client, requests // 4, lambda i: with_field, admin)
                samples["without"] += await timed(client, requests // 4, lambda i: without, admin)
            report("rollup + openWarnings, live", samples["live"])
            report("rollup + openWarnings, tally", samples["tally"])
            report("rollup without openWarnings", samples["without"])

        async with engine.connect() as conn:
            targets = list(
                await conn.scalars(
                    sa.text("SELECT id FROM warnings WHERE status = 'open' ORDER BY id LIMIT 400")
                )
            )
            await conn.commit()
            acknowledged, skipped = [], []
            for warning in targets[:200]:
                start = time.perf_counter()
                async with conn.begin():
                    await conn.execute(
                        sa.text("UPDATE warnings SET status = 'acknowledged' WHERE id = :w"),
                        {"w": warning},
                    )
                acknowledged.append(time.perf_counter() - start)
            for warning in targets[200:]:
                start = time.perf_counter()
                async with conn.begin():
                    await conn.execute(
                        sa.text("UPDATE warnings SET evidence = '{\"n\": 1}' WHERE id = :w"),
                        {"w": warning},
                    )
                skipped.append(time.perf_counter() - start)
            report("acknowledge (trigger)", acknowledged)
            report("update the trigger skips", skipped)
            drift = await tallies.drift(conn, paths[1])
            print(f"tallies agree with the warnings after the writes: {drift == []}")
        await engine.dispose()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--schools", type=int, default=150)
    parser.add_argument("--per-school", type=int, default=150)
    parser.add_argument("--requests", type=int, default=200)
    args = parser.parse_args()
    asyncio.run(main(args.schools, args.per_school, args.requests))
