"""ALL_OR_NONE (the default): one refused record refuses the request, every result reported,
nothing written, nothing stored (a retry runs again). PER_RECORD: the refused records alone roll
back, the others stand, and the answer is kept for a retry."""

from __future__ import annotations

from support import id_number
from support_sync import TALK, counts, fields, outcomes, record, sync


def _batch(world) -> list[dict]:  # type: ignore[no-untyped-def]
    bad = id_number("20030504", 11)
    bad = bad[:-1] + ("1" if bad[-1] != "1" else "2")  # a wrong check digit
    return [
        record(world, 10, steps=[TALK]),
        record(world, 11, idNumber=bad),
        record(
            world, 12, name="王芳", gender="FEMALE", idNumber=id_number("20030504", 12, female=True)
        ),
    ]


async def test_all_or_none_writes_nothing_when_a_record_is_refused(
    gql, world, owner_engine
) -> None:  # type: ignore[no-untyped-def]
    before = await counts(owner_engine)
    payload = await sync(gql, world, _batch(world))
    assert outcomes(payload) == ["CREATED", "REFUSED", "CREATED"]
    # What would have been done is reported, but nothing was: no recruit to show.
    assert [r["recruit"] for r in payload["results"]] == [None, None, None]
    assert fields(payload, 1) == [("INVALID_ID_NUMBER", "records.1.idNumber")]
    assert [(e["code"], e["field"]) for e in payload["errors"]] == [
        ("RECORDS_REFUSED", "records"),
        ("INVALID_ID_NUMBER", "records.1.idNumber"),
    ]
    assert await counts(owner_engine) == before
    # Nothing was stored under the key: the same request runs again (and is refused again).
    again = await sync(gql, world, _batch(world))
    assert (again["replayed"], outcomes(again)) == (False, ["CREATED", "REFUSED", "CREATED"])
    # Fixed, under the same key: no conflict with a body never stored.
    fixed = [r for i, r in enumerate(_batch(world)) if i != 1]
    done = await sync(gql, world, fixed)
    assert (done["replayed"], outcomes(done), done["errors"]) == (False, ["CREATED"] * 2, [])
    assert (await counts(owner_engine))["recruits"] == 2


async def test_per_record_keeps_the_good_records(gql, world, owner_engine) -> None:  # type: ignore[no-untyped-def]
    payload = await sync(gql, world, _batch(world), mode="PER_RECORD")
    assert outcomes(payload) == ["CREATED", "REFUSED", "CREATED"]
    assert payload["errors"] == []
    assert [r["recruit"] is not None for r in payload["results"]] == [True, False, True]
    assert fields(payload, 1) == [("INVALID_ID_NUMBER", "records.1.idNumber")]
    written = await counts(owner_engine)
    assert (written["recruits"], written["recruit_steps"], written["sync_requests"]) == (2, 3, 1)
    # The answer is kept, refusal included: a retry gets it back.
    again = await sync(gql, world, _batch(world), mode="PER_RECORD")
    assert again["replayed"] is True
    assert again["results"] == payload["results"]
    assert await counts(owner_engine) == written
