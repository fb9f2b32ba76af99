"""Phase 2: schools generated and loaded, in parallel processes that each COPY their own rows.

Schools are dealt into :data:`LANES` lanes by index; a process takes whole lanes and loads
their schools in index order, one lane's ID numbers from its own :class:`people.IdNumbers`
lane. Nothing in the data depends on the number of processes: ids come from the tree and the
recruit ids (records.py), ID numbers from the lane. Rows never cross a process boundary (only
the admission counts the plans need come back), so no time goes into pickling millions of rows.

In a process, a school is generated in a thread while the event loop streams the previous
one's rows through one binary COPY per table; the GIL passes between them, so the database
works on rows while the next school is being drawn.
"""

from __future__ import annotations

import asyncio
import multiprocessing
import time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from partyplan.resolvers.recruits.pii import PiiCipher
from partyplan.resolvers.recruits.rules.identity import mask_id_number, mask_phone
from partyplan.resolvers.recruits.service.records import ID_CONTEXT, PHONE_CONTEXT

from . import load
from .people import IdNumbers
from .records import SchoolBatch, generate_school
from .scale import Scale
from .tree import School

LANES = 8


@dataclass
class Loaded:
    """What a process reports: counted admissions (year, unit under a school) → total,
    students, staff, high-knowledge; and its CPU seconds."""

    admissions: dict[tuple[int, int], list[int]] = field(default_factory=dict)
    cpu: float = 0.0

    def add(self, other: Loaded) -> None:
        self.cpu += other.cpu
        for key, counts in other.admissions.items():
            total = self.admissions.setdefault(key, [0, 0, 0, 0])
            for d in range(4):
                total[d] += counts[d]


def _sealed(batch: SchoolBatch, ids: IdNumbers, cipher: PiiCipher) -> list[tuple[Any, ...]]:
    """The recruits' rows with their ID numbers allocated and PII sealed."""
    rows = []
    for row, (county, birth, gender, phone) in zip(batch.recruits, batch.identities, strict=True):
        number = ids.number(county, birth, gender)
        sealed = (
            cipher.encrypt(number, context=ID_CONTEXT),
            cipher.lookup_hash(number, context=ID_CONTEXT),
            mask_id_number(number),
            None if phone is None else cipher.encrypt(phone, context=PHONE_CONTEXT),
            None if phone is None else mask_phone(phone),
        )
        rows.append(row[:8] + sealed + row[8:])
    return rows


async def load_schools(
    owner: str, schools: list[School], scale: Scale, seed: int, key_dir: Path, validate: bool
) -> Loaded:
    """Generate and COPY ``schools`` (whole lanes, in index order) on connections of our own."""
    began = time.process_time()
    cipher = PiiCipher.load_or_create(key_dir)
    lanes = {lane: IdNumbers(lane, LANES) for lane in {s.index % LANES for s in schools}}
    conns = [await load.connect(owner) for _ in range(5)]
    tables = [
        ("recruits", load.RECRUIT_COLUMNS),
        ("recruit_steps", load.STEP_COLUMNS),
        ("recruit_findings", load.FINDING_COLUMNS),
        ("talent_filings", load.FILING_COLUMNS),
    ]
    if set(load.MEMBER_COLUMNS) <= await load.table_columns(conns[0], "members"):
        tables.append(("members", load.MEMBER_COLUMNS))  # migration 0007 is there
    # Two schools queued per table at most: memory stays bounded whatever the scale.
    streams = [
        load.CopyStream(c, t, cols, depth=2) for c, (t, cols) in zip(conns, tables, strict=False)
    ]
    loaded = Loaded()
    try:
        for school in sorted(schools, key=lambda s: s.index):
            batch = await asyncio.to_thread(generate_school, school, scale, seed, validate=validate)
            rows = [
                _sealed(batch, lanes[school.index % LANES], cipher),
                batch.steps,
                batch.findings,
                batch.filings,
                batch.members,
            ]
            for stream, batch_rows in zip(streams, rows, strict=False):
                await stream.put(batch_rows)
            loaded.add(Loaded(batch.admissions))
        for stream in streams:
            await stream.close()
    except BaseException:
        # A failed COPY leaves the others mid-stream, where a graceful close would wait for
        # rows that never come: end the connections, and the error is what the caller sees.
        for stream in streams:
            stream.task.cancel()
        for conn in conns:
            conn.terminate()
        raise
    else:
        for conn in conns:
            await conn.close()
    loaded.cpu = time.process_time() - began
    return loaded


def _in_process(
    owner: str, schools: list[School], scale: Scale, seed: int, key_dir: Path, validate: bool
) -> Loaded:
    return asyncio.run(load_schools(owner, schools, scale, seed, key_dir, validate))


async def load_all(
    owner: str,
    schools: list[School],
    scale: Scale,
    seed: int,
    key_dir: Path,
    workers: int,
    validate: bool,
) -> Loaded:
    """Every school, in ``workers`` processes (0: in this one)."""
    if workers <= 0:
        return await load_schools(owner, schools, scale, seed, key_dir, validate)
    shares = [[s for s in schools if (s.index % LANES) % workers == w] for w in range(workers)]
    loop = asyncio.get_running_loop()
    # spawn, not fork: this process runs an event loop and holds connections.
    context = multiprocessing.get_context("spawn")
    total = Loaded()
    with ProcessPoolExecutor(workers, mp_context=context) as pool:
        jobs = [
            loop.run_in_executor(pool, _in_process, owner, share, scale, seed, key_dir, validate)
            for share in shares
            if share
        ]
        for result in await asyncio.gather(*jobs):
            total.add(result)
    return total
