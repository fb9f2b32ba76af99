"""Each record's outcome: created (with its steps, in date order), updated (changed details, new
steps), unchanged (nothing written), refused (a conflict the sync cannot resolve, named by its
full path); found by its 12371 identifier within the school, else by its ID number's hash."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
import support_recruits as recruits_api
from support import gid, id_number, raw_id, scalar
from support_sync import (
    ACTIVIST,
    CONTACTS,
    FILING,
    TALK,
    counts,
    fields,
    outcomes,
    record,
    sync,
)


async def _steps(owner_engine: Any, recruit_gid: str) -> list[tuple[str, str]]:
    async with owner_engine.connect() as conn:
        rows = await conn.execute(
            sa.text(
                "SELECT step_code, on_date::text AS on FROM recruit_steps"
                " WHERE recruit_id = :r ORDER BY id"
            ),
            {"r": raw_id(recruit_gid)},
        )
        return [(r.step_code, r.on) for r in rows]


async def _recruit(owner_engine: Any, recruit_gid: str) -> Any:
    async with owner_engine.connect() as conn:
        return (
            await conn.execute(
                sa.text("SELECT * FROM recruits WHERE id = :r"), {"r": raw_id(recruit_gid)}
            )
        ).one()


async def test_a_new_person_is_created_with_its_steps_in_date_order(
    gql, world, owner_engine
) -> None:  # type: ignore[no-untyped-def]
    payload = await sync(gql, world, [record(world, 10, steps=[ACTIVIST, TALK])])
    assert (outcomes(payload), payload["replayed"], payload["errors"]) == (["CREATED"], False, [])
    recruit = payload["results"][0]["recruit"]
    assert recruit["stage"] == "ACTIVIST"
    # Sent activist first: recorded in date order, as the rules judge a history.
    assert await _steps(owner_engine, recruit["id"]) == [
        ("application", "2022-09-15"),
        ("talk", "2022-10-10"),
        ("activist", "2023-03-20"),
    ]
    operations = await scalar(
        owner_engine, "SELECT string_agg(operation, ',' ORDER BY id) FROM audit_log"
    )
    assert operations == "createRecruit,recordStep,recordStep"


async def test_the_same_record_again_is_unchanged_and_writes_nothing(
    gql, world, owner_engine
) -> None:  # type: ignore[no-untyped-def]
    sent = record(world, 10, steps=[TALK, ACTIVIST], code12371="A-0010")
    first = await sync(gql, world, [sent], key="first")
    before = await counts(owner_engine)
    row = await _recruit(owner_engine, first["results"][0]["recruit"]["id"])
    again = await sync(gql, world, [sent], key="second")
    assert outcomes(again) == ["UNCHANGED"]
    assert again["results"][0]["recruit"]["id"] == first["results"][0]["recruit"]["id"]
    after = await counts(owner_engine)
    assert after == {**before, "sync_requests": before["sync_requests"] + 1}
    assert (await _recruit(owner_engine, first["results"][0]["recruit"]["id"])) == row


async def test_changed_details_and_new_steps_update_the_recruit(gql, world, owner_engine) -> None:  # type: ignore[no-untyped-def]
    first = await sync(gql, world, [record(world, 10, steps=[TALK])], key="first")
    recruit_id = first["results"][0]["recruit"]["id"]
    changed = record(
        world,
        10,
        name="李明明",
        phone="138 1234 5678",
        professionalTitle="讲师",
        steps=[CONTACTS, TALK, ACTIVIST],
    )
    payload = await sync(gql, world, [changed], key="second")
    assert outcomes(payload) == ["UPDATED"]
    row = await _recruit(owner_engine, recruit_id)
    assert (row.name, row.phone_masked, row.professional_title) == ("李明明", "138****5678", "讲师")
    assert [s[0] for s in await _steps(owner_engine, recruit_id)] == [
        "application",
        "talk",
        "activist",
        "contacts",
    ]
    async with owner_engine.connect() as conn:
        entry = (
            await conn.execute(
                sa.text("SELECT before, after FROM audit_log WHERE operation = 'updateRecruit'")
            )
        ).one()
    assert entry.before == {"name": "李明", "phone": None, "professional_title": None}
    # The phone is audited masked, never in clear.
    assert entry.after == {"name": "李明明", "phone": "138****5678", "professional_title": "讲师"}
    # A detail the record leaves out (null) stays as it is.
    payload = await sync(gql, world, [record(world, 10, name="李明明")], key="third")
    assert outcomes(payload) == ["UNCHANGED"]
    assert (await _recruit(owner_engine, recruit_id)).phone_masked == "138****5678"


async def test_a_recorded_step_with_another_date_or_other_data_is_refused(
    gql, world, owner_engine
) -> None:  # type: ignore[no-untyped-def]
    await sync(gql, world, [record(world, 10, steps=[TALK, ACTIVIST])], key="first")
    before = await counts(owner_engine)
    moved = {**TALK, "on": "2022-10-11"}
    reworded = {**ACTIVIST, "data": {"recommended_by": "party_member"}}
    later = {**record(world, 10), "applicationDate": "2022-09-16"}
    payload = await sync(
        gql,
        world,
        [
            record(world, 10, steps=[CONTACTS, moved, ACTIVIST]),
            record(world, 10, steps=[TALK, reworded]),
            later,
        ],
        key="second",
        mode="PER_RECORD",
    )
    assert outcomes(payload) == ["REFUSED"] * 3
    assert fields(payload, 0) == [("STEP_CONFLICT", "records.0.steps.1.on")]
    assert fields(payload, 1) == [("STEP_CONFLICT", "records.1.steps.1.data")]
    assert fields(payload, 2) == [("STEP_CONFLICT", "records.2.applicationDate")]
    # Refused whole: the new contacts step of record 0 was not recorded either.
    assert await counts(owner_engine) == {**before, "sync_requests": before["sync_requests"] + 1}


async def test_found_by_the_12371_identifier_else_by_the_id_number(
    gql, world, owner_engine
) -> None:  # type: ignore[no-untyped-def]
    created = await recruits_api.create(gql, world, idNumber=id_number("20030504", 10))
    recruit_id = created["recruit"]["id"]
    # No identifier on the platform yet: found by the ID number, and given the identifier.
    payload = await sync(gql, world, [record(world, 10, code12371="A-0010")], key="one")
    assert outcomes(payload) == ["UPDATED"]
    assert payload["results"][0]["recruit"]["id"] == recruit_id
    assert (await _recruit(owner_engine, recruit_id)).code_12371 == "A-0010"
    # The identifier names the recruit even when the record's ID number does not.
    payload = await sync(gql, world, [record(world, 11, code12371="A-0010")], key="two")
    assert fields(payload, 0) == [("ID_NUMBER_MISMATCH", "records.0.idNumber")]
    # The ID number's recruit holds another identifier.
    payload = await sync(gql, world, [record(world, 10, code12371="A-0099")], key="three")
    assert fields(payload, 0) == [("CODE_MISMATCH", "records.0.code12371")]
    assert await scalar(owner_engine, "SELECT count(*) FROM recruits") == 1


async def test_an_identifier_held_in_another_school_is_refused(gql, world, owner_engine) -> None:  # type: ignore[no-untyped-def]
    other = await recruits_api.create(
        gql, world, "other_school_admin", "B1", idNumber=id_number("20030504", 20)
    )
    async with owner_engine.begin() as conn:
        await conn.execute(
            sa.text("UPDATE recruits SET code_12371 = 'B-0020' WHERE id = :r"),
            {"r": raw_id(other["recruit"]["id"])},
        )
    payload = await sync(gql, world, [record(world, 10, code12371="B-0020")])
    assert fields(payload, 0) == [("DUPLICATE_CODE_12371", "records.0.code12371")]
    assert await scalar(owner_engine, "SELECT count(*) FROM recruits") == 1


async def test_branches_a_sync_cannot_change_or_reach(gql, world, owner_engine) -> None:  # type: ignore[no-untyped-def]
    await sync(gql, world, [record(world, 10)], key="first")
    payload = await sync(
        gql,
        world,
        [
            record(world, 10, branchId=world.gid("A1b")),  # a transfer, not a sync
            record(world, 11, branchId=world.gid("B1")),  # another school's branch
            record(world, 12, branchId=gid("Recruit", 1)),  # no unit at all
        ],
        key="second",
        mode="PER_RECORD",
    )
    assert [fields(payload, i) for i in range(3)] == [
        [("BRANCH_MISMATCH", "records.0.branchId")],
        [("UNKNOWN_BRANCH", "records.1.branchId")],
        [("UNKNOWN_BRANCH", "records.2.branchId")],
    ]


async def test_a_step_beyond_the_callers_roles_refuses_its_record_only(
    gql, world, owner_engine
) -> None:  # type: ignore[no-untyped-def]
    payload = await sync(
        gql,
        world,
        [record(world, 10, steps=[TALK, ACTIVIST, FILING]), record(world, 11, steps=[TALK])],
        mode="PER_RECORD",
    )
    assert outcomes(payload) == ["REFUSED", "CREATED"]
    # The committee's filing needs recruit.approve, which a sync_agent does not hold.
    assert fields(payload, 0) == [("FORBIDDEN", "records.0.steps.2.step")]
    assert await scalar(owner_engine, "SELECT count(*) FROM recruits") == 1
