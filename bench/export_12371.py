"""The 12371 export of a large school: time and memory (not a unit test; see bench/README.md).

    python bench/export_12371.py [--recruits 20000] [--runs 3]

Starts an embedded PostgreSQL in a temporary directory with one school of ``--recruits``
recruits spread over the five stages (the later stages with their recorded steps: contacts,
introducers, votes, training...), ID numbers and phones encrypted with the platform's key. Then,
over ASGI in process, ``GET /exports/12371/{school}.xlsx``:
  - as the school's administrator (``pii.read``: every ID number and phone decrypted, the
    export audited), ``--runs`` times, wall time of the whole response;
  - as a viewer (masked), the same;
  - once more unmasked under ``tracemalloc``: the peak of Python allocations during the
    export, for the whole school and for its smallest stage alone (``?stage=full_member``): a
    streamed export's peak barely follows the number of rows.
The process's peak RSS is printed at the end. Figures from one machine only compare with
figures taken in the same run.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import resource
import statistics
import time
import tracemalloc
from datetime import date, timedelta
from typing import Any

import httpx
import sqlalchemy as sa
from harness import scratch_database, service
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

from partyplan.resolvers.recruits.pii import PiiCipher
from partyplan.server.database import async_url

# (stage, share of the school): milestones set up to the stage
STAGES = [
    ("applicant", 0.40),
    ("activist", 0.25),
    ("development_target", 0.15),
    ("probationary", 0.12),
    ("full_member", 0.08),
]
RANK = {stage: n for n, (stage, _) in enumerate(STAGES)}
SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂"


def id_number(birth: date, serial: int, area: str = "140102") -> str:
    """A valid ID number (GB 11643) agreeing with ``birth``; an odd ``serial`` is a man's."""
    first_17 = f"{area}{birth:%Y%m%d}{serial:03d}"
    weights = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
    total = sum(int(d) * w for d, w in zip(first_17, weights, strict=True))
    return first_17 + "10X98765432"[total % 11]


async def one(conn: Any, sql: str, **params: object) -> int:
    return (await conn.execute(sa.text(sql), params)).scalar_one()


async def seed(engine: AsyncEngine, cipher: PiiCipher, recruits: int) -> dict[str, int]:
    """A commission, a school with 20 branches, an administrator and a viewer at the school,
    a roster of 50 members, and ``recruits`` recruits with their steps."""
    rng = random.Random(12371)
    async with engine.begin() as conn:
        commission = await one(
            conn,
            "INSERT INTO units (kind, name, path) VALUES ('commission', '工委', '0') RETURNING id",
        )
        school = await one(
            conn,
            "INSERT INTO units (kind, name, parent_id, path) VALUES ('school', '大学党委', :p, '0')"
            " RETURNING id",
            p=commission,
        )
        branches = [
            await one(
                conn,
                "INSERT INTO units (kind, name, parent_id, path)"
                " VALUES ('branch', :n, :p, '0') RETURNING id",
                n=f"第{n + 1}党支部",
                p=school,
            )
            for n in range(20)
        ]
        ids = {"school": school}
        for key, role in (("admin", "school_admin"), ("viewer", "viewer")):
            user = await one(
                conn,
                "INSERT INTO users (username, display_name, home_unit_id, home_path, school_id)"
                " SELECT :u, :u, id, path, school_id FROM units WHERE id = :unit RETURNING id",
                u=f"bench-{key}",
                unit=school,
            )
            await conn.execute(
                sa.text(
                    "INSERT INTO role_bindings (user_id, role, unit_id, unit_path, school_id)"
                    " SELECT :user, :role, id, path, school_id FROM units WHERE id = :unit"
                ),
                {"user": user, "role": role, "unit": school},
            )
            ids[key] = user
        await conn.execute(
            sa.text(
                "INSERT INTO members (school_id, branch_id, unit_path, code, name, joined_on)"
                " SELECT school_id, id, path, 'm-' || g,"
                # Names are letters (a digit in a name is refused when read back from a file).
                " '党员' || translate(g::text, '0123456789', '零一二三四五六七八九'), '2000-07-01'"
                " FROM units, generate_series(1, 50) g WHERE id = :b"
            ),
            {"b": branches[0]},
        )
        rows = []
        plan = [s for s, share in STAGES for _ in range(round(share * recruits))][:recruits]
        plan += ["applicant"] * (recruits - len(plan))
        for n, stage in enumerate(plan):
            applied = date(2019, 1, 1) + timedelta(days=rng.randrange(1500))
            at = RANK[stage]
            milestones = [applied + timedelta(days=200 * k) for k in range(5)]
            birth = date(2000, 1, 1) + timedelta(days=n // 400)
            gender = rng.choice(("male", "female"))
            number = id_number(birth, (n % 400) * 2 + (1 if gender == "male" else 0))
            phone = f"139{n:08d}"
            rows.append(
                {
                    "branch": branches[n % len(branches)],
                    "name": rng.choice(SURNAMES) + rng.choice(GIVEN) + rng.choice(GIVEN),
                    "gender": gender,
                    "birth": birth,
                    "id_enc": cipher.encrypt(number, context="recruit.id_number"),
                    "id_hash": cipher.lookup_hash(number, context="recruit.id_number"),
                    "id_masked": number[:3] + "*" * 11 + number[-4:],
                    "phone_enc": cipher.encrypt(phone, context="recruit.phone"),
                    "phone_masked": phone[:3] + "****" + phone[-4:],
                    "stage": stage,
                    "applied": applied,
                    "activist": milestones[1] if at >= 1 else None,
                    "target": milestones[2] if at >= 2 else None,
                    "approved": milestones[3] if at >= 3 else None,
                    "converted": milestones[4] if at >= 4 else None,
                }
            )
        for start in range(0, len(rows), 2000):
            await conn.execute(
                sa.text(
                    "INSERT INTO recruits (school_id, branch_id, unit_path, name, gender,"
                    " ethnicity, birth_date, id_number_enc, id_number_hash, id_number_masked,"
                    " phone_enc, phone_masked, category, education, stage, stage_since,"
                    " applied_on, activist_on, target_on, approved_on, converted_on,"
                    " admitted_branch_id, admitted_path, admitted_school_id)"
                    " SELECT u.school_id, u.id, u.path, :name, :gender, '汉族', :birth, :id_enc,"
                    " :id_hash, :id_masked, :phone_enc, :phone_masked, 'undergraduate',"
                    " 'below_college', :stage, :applied, :applied, :activist, :target,"
                    " :approved, :converted,"
                    " CASE WHEN CAST(:approved AS date) IS NOT NULL THEN u.id END,"
                    " CASE WHEN CAST(:approved AS date) IS NOT NULL THEN u.path END,"
                    " CASE WHEN CAST(:approved AS date) IS NOT NULL THEN u.school_id END"
                    " FROM units u WHERE u.id = :branch"
                ),
                rows[start : start + 2000],
            )
        # The steps the export reads, each recorded once, on the stage's milestone.
        await conn.execute(
            sa.text(
                "INSERT INTO recruit_steps (recruit_id, school_id, unit_path, step_code, on_date,"
                " data, rule_version)"
                " SELECT r.id, r.school_id, r.unit_path, s.code, s.on_date, s.data, 'bench'"
                " FROM recruits r CROSS JOIN LATERAL (VALUES"
                "  ('activist', r.activist_on, '{\"recommended_by\": \"party_members\"}'::jsonb),"
                '  (\'contacts\', r.activist_on, \'{"contacts": ["m-1", "m-2"]}\'),'
                "  ('political_review', r.target_on, '{\"conclusion\": \"qualified\"}'),"
                "  ('training', r.target_on, '{\"days\": 3, \"hours\": 24}'),"
                '  (\'introducers\', r.target_on, \'{"introducers": ["m-3", "m-4"]}\'),'
                "  ('pre_review', r.approved_on, '{}'),"
                "  ('branch_meeting', r.approved_on,"
                '   \'{"entitled": 25, "present": 21, "in_favour": 20}\'),'
                "  ('oath', r.approved_on, '{}'),"
                "  ('conversion_application', r.converted_on, '{}'),"
                "  ('conversion_meeting', r.converted_on,"
                '   \'{"entitled": 26, "present": 22, "in_favour": 22}\')'
                " ) AS s(code, on_date, data)"
                " WHERE r.school_id = :s AND s.on_date IS NOT NULL"
            ),
            {"s": school},
        )
        await conn.execute(sa.text("ANALYZE"))
    return ids


async def export(client: httpx.AsyncClient, path: str, token: str) -> tuple[float, int]:
    start = time.perf_counter()
    response = await client.get(path, headers={"Authorization": f"Bearer {token}"})
    elapsed = time.perf_counter() - start
    assert response.status_code == 200, response.text
    return elapsed, len(response.content)


async def main(recruits: int, runs: int) -> None:
    async with scratch_database() as (owner, workdir):
        engine = create_async_engine(async_url(owner))
        try:
            async with service(owner, workdir) as (platform, client):
                assert platform.pii is not None
                started = time.perf_counter()
                ids = await seed(engine, platform.pii, recruits)
                print(f"seeded {recruits} recruits in {time.perf_counter() - started:.1f} s")
                tokens = {k: platform.tokens.mint(str(ids[k]), 3600) for k in ("admin", "viewer")}
                path = f"/exports/12371/{ids['school']}.xlsx"
                await export(client, path + "?stage=full_member", tokens["admin"])  # warm up
                for who, label in (("admin", "unmasked"), ("viewer", "masked")):
                    samples = []
                    for _ in range(runs):
                        elapsed, size = await export(client, path, tokens[who])
                        samples.append(elapsed)
                    print(
                        f"export {recruits} recruits, {label}: median {statistics.median(samples):.2f} s,"
                        f" best {min(samples):.2f} s over {runs} runs; {size / 1e6:.1f} MB xlsx"
                    )
                for query, label in (("", "all stages"), ("?stage=full_member", "one stage")):
                    tracemalloc.start()
                    tracemalloc.reset_peak()
                    base = tracemalloc.get_traced_memory()[0]
                    await export(client, path + query, tokens["admin"])
                    peak = tracemalloc.get_traced_memory()[1] - base
                    tracemalloc.stop()
                    print(f"tracemalloc peak during the export ({label}): {peak / 1e6:.1f} MB")
            async with engine.connect() as conn:
                audited = await conn.scalar(
                    sa.text("SELECT count(*) FROM audit_log WHERE operation = 'readPii'")
                )
            print(f"readPii audit entries written: {audited} (one per unmasked export)")
            rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
            print(f"peak RSS of the process (seed included): {rss:.0f} MB")
        finally:
            await engine.dispose()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--recruits", type=int, default=20_000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    asyncio.run(main(args.recruits, args.runs))
