"""The 12371 import of a large school: rows a second and memory (not a unit test; see
bench/README.md).

    python bench/import_12371.py [--recruits 100000] [--changed 0.01] [--runs 2]

Seeds one school of ``--recruits`` recruits as ``export_12371.py`` does (the later stages with
their steps; valid ID numbers agreeing with birth dates and genders), downloads the school's
unmasked 12371 export, edits a share (``--changed``) of its rows as a 12371 file would differ
(a name here, a phone there, a row removed), and uploads it to
``import12371`` over ASGI in process, by the GraphQL multipart request convention:
  - wall time of the whole request, ``--runs`` times (each makes a report of the whole
    school: one entry a row, plus the recruits only here), and the rows a second it makes;
  - once under ``tracemalloc``: the peak of Python allocations during one import;
  - the process's peak RSS at the end (seed and export included).
Figures from one machine only compare with figures taken in the same run.
"""

from __future__ import annotations

import argparse
import asyncio
import io
import json
import random
import resource
import statistics
import time
import tracemalloc

import sqlalchemy as sa
from export_12371 import seed
from harness import gid, scratch_database, service
from openpyxl import Workbook, load_workbook
from sqlalchemy.ext.asyncio import create_async_engine

from partyplan.server.database import async_url

IMPORT = """mutation($s: ID!, $f: Upload!) { import12371(schoolId: $s, file: $f) {
  report { rowsRead matched conflicting onlyIn12371 onlyHere } errors { code message } } }"""


def edited(content: bytes, share: float) -> bytes:
    """The export with a share of its rows changed: a third renamed, a third with another
    phone, a third removed (only here)."""
    rng = random.Random(18)
    source = load_workbook(io.BytesIO(content), read_only=True)
    target = Workbook(write_only=True)
    for sheet in source.worksheets:
        out = target.create_sheet(sheet.title)
        rows = sheet.iter_rows(values_only=True)
        out.append(list(next(rows)))  # the notice
        header = list(next(rows))
        out.append(header)
        name, phone = header.index("姓名"), header.index("手机号码")
        for row in rows:
            values = ["" if v is None else v for v in row]
            draw = rng.random()
            if draw < share / 3:
                values[name] = str(values[name]) + "改"
            elif draw < 2 * share / 3:
                values[phone] = f"137{rng.randrange(10**8):08d}"
            elif draw < share:
                continue  # removed from 12371: only here
            out.append(values)
    buffer = io.BytesIO()
    target.save(buffer)
    return buffer.getvalue()


async def upload(client, token: str, school: str, content: bytes) -> tuple[float, dict]:  # type: ignore[no-untyped-def]
    operations = {"query": IMPORT, "variables": {"s": school, "f": None}}
    start = time.perf_counter()
    response = await client.post(
        "/graphql",
        data={"operations": json.dumps(operations), "map": json.dumps({"0": ["variables.f"]})},
        files={"0": ("12371.xlsx", content, "application/octet-stream")},
        headers={"Authorization": f"Bearer {token}"},
    )
    elapsed = time.perf_counter() - start
    payload = response.json()["data"]["import12371"]
    assert payload["report"] is not None, payload["errors"][:3]
    return elapsed, payload["report"]


async def main(recruits: int, changed: float, runs: int) -> None:
    async with scratch_database() as (owner, workdir):
        engine = create_async_engine(async_url(owner))
        try:
            async with service(owner, workdir) as (platform, client):
                assert platform.pii is not None
                started = time.perf_counter()
                ids = await seed(engine, platform.pii, recruits)
                print(f"seeded {recruits} recruits in {time.perf_counter() - started:.1f} s")
                token = platform.tokens.mint(str(ids["admin"]), 3600)
                response = await client.get(
                    f"/exports/12371/{ids['school']}.xlsx",
                    headers={"Authorization": f"Bearer {token}"},
                )
                content = edited(response.content, changed)
                print(f"12371 file: {len(content) / 1e6:.1f} MB, {changed:.1%} of rows changed")
                school = gid("Unit", ids["school"])
                samples = []
                for _ in range(runs):
                    elapsed, report = await upload(client, token, school, content)
                    samples.append(elapsed)
                print(f"report: {report}")
                median = statistics.median(samples)
                print(
                    f"import of {report['rowsRead']} rows: median {median:.2f} s, best"
                    f" {min(samples):.2f} s over {runs} runs;"
                    f" {report['rowsRead'] / median:,.0f} rows/s"
                )
                tracemalloc.start()
                tracemalloc.reset_peak()
                base = tracemalloc.get_traced_memory()[0]
                await upload(client, token, school, content)
                peak = tracemalloc.get_traced_memory()[1] - base
                tracemalloc.stop()
                print(f"tracemalloc peak during one import: {peak / 1e6:.1f} MB")
            async with engine.connect() as conn:
                entries = await conn.scalar(sa.text("SELECT count(*) FROM reconciliation_entries"))
            print(f"entries stored over all runs: {entries}")
            rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
            print(f"peak RSS of the process (seed and export included): {rss:.0f} MB")
        finally:
            await engine.dispose()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--recruits", type=int, default=100_000)
    parser.add_argument("--changed", type=float, default=0.01)
    parser.add_argument("--runs", type=int, default=2)
    args = parser.parse_args()
    asyncio.run(main(args.recruits, args.changed, args.runs))
