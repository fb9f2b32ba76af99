"""Roll-ups at province scale (not a unit test; see bench/README.md).

    python bench/rollup_scale.py [--schools 150] [--recruits 300000] [--requests 200]

Starts an embedded PostgreSQL in a temporary directory and loads a synthetic province in SQL
(seeded, server-side): a commission, N schools of 8 committees with 6 branches each (~8,500
units at 150 schools), and the recruits spread over the branches with consistent milestone
dates. The load bypasses the tally trigger; creating the two plan periods tallies them (timed:
it is what creating a period costs). Then it prints, in one run:
  - SQL only: the commission's roll-up statement over the tallies vs the live aggregation over
    the recruits that every peer would run (the baseline), and a school's roll-up statement;
  - end to end in process (ASGI, no HTTP server): rollup of the commission (one line per
    school) and of a school, with p50 / p95 and requests/s;
  - the write cost: an approval recorded on a recruit (the trigger updates its chain's tally
    rows in the open periods) vs an update the trigger skips.
Figures from one 2-core machine only compare with figures taken in the same run.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import time
from datetime import date

import sqlalchemy as sa
from harness import gid, report, scratch_database, service, timed
from sqlalchemy.ext.asyncio import AsyncConnection, create_async_engine

from partyplan.resolvers.rollups import repository as tallies
from partyplan.server.database import async_url

ROLLUP = """query($u: ID!, $p: ID!) { rollup(unitId: $u, periodId: $p) {
  line { unitName plan admitted admittedExempt completionRate openFindings
         structure { women ethnicMinority youth35 collegeEducated students staff }
         pipeline { applicants activists developmentTargets probationary converted } }
  children { unitName plan admitted admittedExempt completionRate openFindings
             structure { women ethnicMinority youth35 collegeEducated students staff }
             pipeline { applicants activists developmentTargets probationary converted } } } }"""

LIVE_BASELINE = """
SELECT r.school_id, count(*) FILTER (WHERE NOT r.exempt) AS admitted,
       count(*) FILTER (WHERE r.exempt) AS exempt,
       count(*) FILTER (WHERE r.gender = 'female') AS women,
       count(*) FILTER (WHERE r.ethnicity <> '汉族') AS minority
  FROM recruits r
 WHERE r.unit_path <@ CAST(:c AS ltree) AND r.approved_on BETWEEN :s AND :e
 GROUP BY r.school_id
"""

# Units: 8 committees a school, 6 branches a committee; ids follow from the series.
LOAD = [
    "INSERT INTO units (kind, name, parent_id, path) VALUES ('commission', '省委教育工委', NULL, '0')",
    """INSERT INTO units (kind, name, parent_id, path)
       SELECT 'school', '第' || s || '所学校党委', 1, '0' FROM generate_series(1, :schools) s""",
    """INSERT INTO units (kind, name, parent_id, path)
       SELECT 'committee', u.name || '学院' || c, u.id, '0'
         FROM units u, generate_series(1, 8) c WHERE u.kind = 'school' ORDER BY u.id, c""",
    """INSERT INTO units (kind, name, parent_id, path)
       SELECT 'branch', u.name || '第' || b || '支部', u.id, '0'
         FROM units u, generate_series(1, 6) b WHERE u.kind = 'committee' ORDER BY u.id, b""",
    "SELECT setseed(0.42)",
    # Milestones in procedure order; about a third reach approval, a tenth convert.
    """INSERT INTO recruits (school_id, branch_id, unit_path, name, gender, ethnicity, birth_date,
         id_number_enc, id_number_hash, id_number_masked, category, education, high_knowledge,
         professional_title, stage, stage_since, open_findings, applied_on, activist_on,
         target_on, approved_on, converted_on)
       SELECT b.school_id, b.id, b.path, '某某',
              CASE WHEN random() < 0.55 THEN 'female' ELSE 'male' END,
              CASE WHEN random() < 0.08 THEN '回族' ELSE '汉族' END,
              date '1985-01-01' + (random() * 6000)::int, '\\x00',
              decode(md5(g::text), 'hex'), 'x',
              (ARRAY['undergraduate','postgraduate','teacher','other_staff'])[1 + (g % 4)],
              (ARRAY['below_college','bachelor','master','doctorate'])[1 + (g % 4)],
              random() < 0.1, CASE WHEN g % 4 = 2 THEN '讲师' END,
              'applicant', m.applied, (random() * 1.3)::int, m.applied,
              CASE WHEN m.r > 0.3 THEN m.applied + 200 END,
              CASE WHEN m.r > 0.5 THEN m.applied + 560 END,
              CASE WHEN m.r > 0.66 THEN m.applied + 700 END,
              CASE WHEN m.r > 0.9 THEN m.applied + 1070 END
         FROM generate_series(1, :recruits) g
         JOIN units b ON b.kind = 'branch'
                     AND b.id = (SELECT min(id) FROM units WHERE kind = 'branch')
                                + (g % (SELECT count(*) FROM units WHERE kind = 'branch'))
         CROSS JOIN LATERAL (SELECT date '2021-01-01' + (random() * 1100)::int AS applied,
                                    random() AS r, g AS k) m""",
    """UPDATE recruits SET stage = CASE WHEN converted_on <= current_date THEN 'full_member'
                                        WHEN approved_on <= current_date THEN 'probationary'
                                        WHEN target_on <= current_date THEN 'development_target'
                                        WHEN activist_on <= current_date THEN 'activist'
                                        ELSE 'applicant' END""",
]


async def load(conn: AsyncConnection, schools: int, recruits: int) -> None:
    await conn.execute(sa.text("SET session_replication_role = replica"))  # bulk: no triggers
    await conn.execute(
        sa.text("ALTER TABLE units ENABLE ALWAYS TRIGGER units_derive")
    )  # paths are derived by it
    for statement in LOAD:
        await conn.execute(sa.text(statement), {"schools": schools, "recruits": recruits})
    await conn.execute(sa.text("ALTER TABLE units ENABLE TRIGGER units_derive"))
    await conn.execute(sa.text("SET session_replication_role = origin"))
    await conn.execute(sa.text("ANALYZE"))


async def accounts(conn: AsyncConnection) -> dict[str, int]:
    ids = {}
    for name, unit, role in (
        ("admin", "1", "commission_admin"),
        ("school-admin", "(SELECT min(id) FROM units WHERE kind = 'school')", "school_admin"),
    ):
        ids[name] = await conn.scalar(
            sa.text(
                "INSERT INTO users (username, display_name, home_unit_id, home_path, school_id)"
                f" SELECT :u, :u, id, path, school_id FROM units WHERE id = {unit} RETURNING id"
            ),
            {"u": name},
        )
        await conn.execute(
            sa.text(
                "INSERT INTO role_bindings (user_id, role, unit_id, unit_path, school_id)"
                f" SELECT :user, :role, id, path, school_id FROM units WHERE id = {unit}"
            ),
            {"user": ids[name], "role": role},
        )
    ids["school"] = await conn.scalar(sa.text("SELECT min(id) FROM units WHERE kind = 'school'"))
    return ids


async def sql_timing(conn: AsyncConnection, statement: str, params: dict, n: int) -> list[float]:  # type: ignore[type-arg]
    samples = []
    for _ in range(n):
        start = time.perf_counter()
        (await conn.execute(sa.text(statement), params)).all()
        samples.append(time.perf_counter() - start)
    return samples


async def main(schools: int, recruits: int, requests: int) -> None:
    async with scratch_database() as (owner, workdir):
        engine = create_async_engine(async_url(owner))
        async with engine.begin() as conn:
            began = time.perf_counter()
            await load(conn, schools, recruits)
            loaded = time.perf_counter() - began
            ids = await accounts(conn)
        periods = {}
        async with engine.begin() as conn:
            for year in (2023, 2024):
                began = time.perf_counter()
                periods[year] = await conn.scalar(
                    sa.text(
                        "INSERT INTO plan_periods (commission_id, commission_path, name, kind,"
                        " starts_on, ends_on, report_due_on, state) VALUES (1, '1', :n,"
                        " 'calendar_year', :s, :e, :d, 'issued') RETURNING id"
                    ),
                    {
                        "n": f"{year} 年度",
                        "s": date(year, 1, 1),
                        "e": date(year, 12, 31),
                        "d": date(year, 12, 15),
                    },
                )
                print(f"period {year} created and tallied in {time.perf_counter() - began:.1f} s")
        async with engine.connect() as conn:
            counts = (
                await conn.execute(
                    sa.text(
                        "SELECT (SELECT count(*) FROM units) AS units, (SELECT count(*) FROM recruits)"
                        " AS recruits, (SELECT count(*) FROM unit_tallies) AS tallies,"
                        " pg_size_pretty(pg_database_size(current_database())) AS size"
                    )
                )
            ).one()
        print(
            f"loaded {counts.units} units, {counts.recruits} recruits in {loaded:.1f} s;"
            f" {counts.tallies} tally rows; database {counts.size}"
        )

        period = periods[2024]
        async with engine.connect() as conn:
            await conn.execute(sa.text("ANALYZE"))
            live = await sql_timing(
                conn, LIVE_BASELINE, {"c": "1", "s": date(2024, 1, 1), "e": date(2024, 12, 31)}, 30
            )
            report("SQL live aggregation", live)
            lines = await sql_timing(conn, tallies._LINES, {"period": period, "unit": 1}, 30)
            report("SQL rollup, commission", lines)
            school = await sql_timing(
                conn, tallies._LINES, {"period": period, "unit": ids["school"]}, 30
            )
            report("SQL rollup, school", school)
            print(
                f"  tallies vs live aggregation: {statistics.median(live) / statistics.median(lines):.1f}x"
            )

        async with service(owner, workdir) as (platform, client):
            admin = platform.tokens.mint(str(ids["admin"]), 3600)
            school_admin = platform.tokens.mint(str(ids["school-admin"]), 3600)
            province = {
                "query": ROLLUP,
                "variables": {"u": gid("Unit", 1), "p": gid("PlanPeriod", period)},
            }
            one_school = {
                "query": ROLLUP,
                "variables": {"u": gid("Unit", ids["school"]), "p": gid("PlanPeriod", period)},
            }
            await timed(client, 20, lambda i: province, admin)  # warm-up
            report(
                "rollup, commission (API)", await timed(client, requests, lambda i: province, admin)
            )
            report(
                "rollup, school (API)",
                await timed(client, requests, lambda i: one_school, school_admin),
            )

        async with engine.connect() as conn:
            targets = list(
                (
                    await conn.execute(
                        sa.text(
                            "SELECT id FROM recruits WHERE approved_on IS NULL ORDER BY id LIMIT 400"
                        )
                    )
                ).scalars()
            )
            await conn.commit()
            approve, skipped = [], []
            for recruit in targets[:200]:
                start = time.perf_counter()
                async with conn.begin():
                    await conn.execute(
                        sa.text(
                            "UPDATE recruits SET approved_on = DATE '2024-06-01', stage = 'probationary'"
                            " WHERE id = :r"
                        ),
                        {"r": recruit},
                    )
                approve.append(time.perf_counter() - start)
            for recruit in targets[200:]:
                start = time.perf_counter()
                async with conn.begin():
                    await conn.execute(
                        sa.text("UPDATE recruits SET updated_at = now() WHERE id = :r"),
                        {"r": recruit},
                    )
                skipped.append(time.perf_counter() - start)
            report("approval (trigger tallies)", approve)
            report("update the trigger skips", skipped)
            drift = await tallies.drift(conn, period, "1")
            print(f"tallies agree with the recruits after the writes: {drift == []}")
        await engine.dispose()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--schools", type=int, default=150)
    parser.add_argument("--recruits", type=int, default=300_000)
    parser.add_argument("--requests", type=int, default=200)
    args = parser.parse_args()
    asyncio.run(main(args.schools, args.recruits, args.requests))
