"""Two jobs syncing one school at once, their batches overlapping: they run one after the other
(no deadlock, no refusal), and what each wrote stands in the end (no lost update)."""

from __future__ import annotations

import asyncio
from typing import Any

import sqlalchemy as sa
from support_sync import ACTIVIST, TALK, job, post_sync, record, sync_input

PEOPLE = range(10, 22)
FIRST = PEOPLE[:8]  # 10..17: talk
SECOND = PEOPLE[4:]  # 14..21: talk, activist and a phone; 14..17 in both batches


async def _recruits(owner_engine: Any) -> dict[str, tuple[str, bool, int]]:
    """Each recruit's ID number's last digits → (stage, has a phone, steps recorded)."""
    async with owner_engine.connect() as conn:
        rows = await conn.execute(
            sa.text(
                "SELECT r.id_number_masked AS id, r.stage, r.phone_enc IS NOT NULL AS phone,"
                " (SELECT count(*) FROM recruit_steps s WHERE s.recruit_id = r.id) AS steps"
                " FROM recruits r"
            )
        )
        return {r.id: (r.stage, r.phone, r.steps) for r in rows}


async def test_two_jobs_on_one_school_serialize_and_lose_nothing(
    client, gql, world, owner_engine
) -> None:  # type: ignore[no-untyped-def]
    jobs = [await job(client, gql, world, owner_engine, name) for name in ("one", "two")]
    first = sync_input(world, [record(world, n, steps=[TALK]) for n in FIRST], key="nightly")
    second = sync_input(
        world,
        [record(world, n, steps=[TALK, ACTIVIST], phone="13812345678") for n in SECOND],
        key="nightly",
    )
    answers = await asyncio.wait_for(
        asyncio.gather(
            post_sync(client, first, jobs[0], trusted=True),
            post_sync(client, second, jobs[1], trusted=True),
        ),
        60,
    )
    payloads = [a["data"]["syncRecruits"] for a in answers]
    for payload in payloads:
        assert payload["errors"] == [] and payload["replayed"] is False, payload
    outcomes = [{r["index"]: r["outcome"] for r in p["results"]} for p in payloads]
    both = [n for n in FIRST if n in SECOND]
    # Each person the two batches share was created once, by whichever ran first, and found by
    # the other.
    for n in both:
        created = [
            o[batch.index(n)] == "CREATED"
            for o, batch in ((outcomes[0], list(FIRST)), (outcomes[1], list(SECOND)))
        ]
        assert sorted(created) == [False, True], (n, outcomes)
    recruits = await _recruits(owner_engine)
    assert len(recruits) == len(PEOPLE)
    # The second job's activist steps and phones stand whatever the order: nothing was lost.
    stages = sorted(recruits.values())
    assert stages == sorted(
        [("applicant", False, 2)] * (len(PEOPLE) - len(SECOND))
        + [("activist", True, 3)] * len(SECOND)
    )
