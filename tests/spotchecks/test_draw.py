"""The verifiable draw: commitment, frozen list, the draw redone from the revealed seed.

The draw is recomputed here from the algorithm as docs/spot-checks.md states it, written out
again rather than imported, so a change of the service's algorithm fails these tests."""

from __future__ import annotations

import hashlib
import hmac
import math

import pytest
import sqlalchemy as sa
from sqlalchemy.exc import DBAPIError
from support import codes, scalar
from support_spotchecks import SEED, commit, draw, records_of, sha256_hex


def redo(seed: str, candidates: list[dict], per_school: int | None, share: float | None):  # type: ignore[no-untyped-def]
    """The documented draw: per school, HMAC-SHA256(seed, drawKey) ascending, the first n."""
    schools: dict[str, list[tuple[bytes, int, str]]] = {}
    for c in candidates:
        tick = hmac.new(seed.encode(), c["drawKey"].encode(), hashlib.sha256).digest()
        schools.setdefault(c["schoolKey"], []).append((tick, int(c["drawKey"]), c["name"]))
    drawn = {}
    for school, listed in schools.items():
        listed.sort()
        n = min(per_school, len(listed)) if per_school else math.ceil(share * len(listed) - 1e-9)
        drawn[school] = [(name, tick.hex()) for tick, _, name in listed[:n]]
    return drawn


def published_hash(candidates: list[dict]) -> str:
    text = "".join(f"{c['schoolKey']}\t{c['drawKey']}\n" for c in candidates)
    return hashlib.sha256(text.encode()).hexdigest()


def candidates_of(check: dict) -> list[dict]:
    return [e["node"] for e in check["candidates"]["edges"]]


async def test_a_draw_redone_from_the_revealed_seed_gives_the_same_names(
    gql, world, targets
) -> None:  # type: ignore[no-untyped-def]
    await targets.add("A1a", 3)
    await targets.add("A2", 2)
    await targets.add("B1", 3)
    await targets.add("A1a", 2, stage="activist")  # not development targets: not listed
    committed = await commit(gql, world, perSchool=2)
    assert committed["errors"] == []
    check = committed["spotCheck"]
    assert check["state"] == "COMMITTED" and check["seed"] is None
    assert check["seedSha256"] == sha256_hex(SEED)
    listed = candidates_of(check)
    assert check["candidateCount"] == len(listed) == 8
    # Canonical order, and the list's hash recomputed from what was published.
    keys = [(int(c["schoolKey"]), int(c["drawKey"])) for c in listed]
    assert keys == sorted(keys)
    assert [c["ordinal"] for c in listed] == list(range(1, 9))
    assert check["listSha256"] == published_hash(listed)

    drawn = await draw(gql, world, check["id"])
    assert drawn["errors"] == []
    assert drawn["spotCheck"]["state"] == "DRAWN"
    assert drawn["spotCheck"]["seed"] == SEED  # revealed

    expected = redo(drawn["spotCheck"]["seed"], listed, 2, None)
    records = await records_of(gql, world, "commission_admin", check["id"])
    got: dict[str, list[tuple[str, str]]] = {}
    for r in sorted(records, key=lambda r: r["rank"]):
        school = next(c["schoolKey"] for c in listed if c["ordinal"] == r["ordinal"])
        got.setdefault(school, []).append((r["name"], r["ticket"]))
    assert got == expected
    assert sum(len(v) for v in got.values()) == 4
    assert all(r["finding"] == "PENDING" and r["followUp"] == "NONE" for r in records)


async def test_a_share_is_rounded_up_in_each_school(gql, world, targets) -> None:  # type: ignore[no-untyped-def]
    await targets.add("A1b", 5)
    await targets.add("B1", 3)
    check = (await commit(gql, world, share=0.5))["spotCheck"]
    assert check["share"] == 0.5 and check["perSchool"] is None
    await draw(gql, world, check["id"])
    listed = candidates_of(check)
    expected = redo(SEED, listed, None, 0.5)
    assert sorted(len(v) for v in expected.values()) == [2, 3]  # ceil(1.5), ceil(2.5)
    records = await records_of(gql, world, "commission_admin", check["id"])
    assert sorted(r["name"] for r in records) == sorted(
        name for names in expected.values() for name, _ in names
    )


async def test_a_wrong_seed_is_refused_and_nothing_is_drawn(
    gql, world, targets, owner_engine
) -> None:  # type: ignore[no-untyped-def]
    await targets.add("A1a", 3)
    check = (await commit(gql, world))["spotCheck"]
    wrong = await draw(gql, world, check["id"], seed=SEED[:-1] + "e")
    assert [(e["code"], e["field"]) for e in wrong["errors"]] == [("SEED_MISMATCH", "seed")]
    assert wrong["spotCheck"] is None
    assert await records_of(gql, world, "commission_admin", check["id"]) == []
    assert await scalar(owner_engine, "SELECT state || coalesce(seed, '') FROM spot_checks") == (
        "committed"
    )
    short = await draw(gql, world, check["id"], seed="short")
    assert [e["code"] for e in short["errors"]] == ["SEED_MISMATCH"]
    done = await draw(gql, world, check["id"])
    assert done["errors"] == [] and done["spotCheck"]["seed"] == SEED
    again = await draw(gql, world, check["id"])
    assert [e["code"] for e in again["errors"]] == ["ALREADY_DRAWN"]


async def test_the_list_cannot_change_after_the_commitment(
    gql, world, targets, owner_engine
) -> None:  # type: ignore[no-untyped-def]
    await targets.add("A1a", 2)
    check = (await commit(gql, world, perSchool=5))["spotCheck"]
    late = await targets.add("A1a", 1)  # a development target after the commitment
    statements = [
        "INSERT INTO spot_check_candidates (check_id, ordinal, recruit_id, school_id, branch_id,"
        " unit_path, name) SELECT c.check_id, 99, r.id, r.school_id, r.branch_id, r.unit_path,"
        f" r.name FROM spot_check_candidates c, recruits r WHERE r.id = {late[0]} LIMIT 1",
        "UPDATE spot_check_candidates SET name = '改名'",
        "DELETE FROM spot_check_candidates",
        "UPDATE spot_checks SET seed_sha256 = sha256('another seed')",
        "UPDATE spot_checks SET list_sha256 = sha256('another list')",
    ]
    for statement in statements:
        with pytest.raises(DBAPIError, match="frozen|committed|never deleted"):
            async with owner_engine.begin() as conn:
                await conn.execute(sa.text(statement))
    drawn = (await draw(gql, world, check["id"]))["spotCheck"]
    assert drawn["candidateCount"] == 2 and drawn["listSha256"] == check["listSha256"]
    records = await records_of(gql, world, "commission_admin", check["id"])
    assert len(records) == 2 and all(r["name"] != "对象03" for r in records)
    # Drawn once: no record can be added later, and a drawn check is frozen.
    for statement in (
        "INSERT INTO spot_check_records (check_id, ordinal, recruit_id, school_id, branch_id,"
        " unit_path, name, rank, ticket) SELECT check_id, 98, recruit_id, school_id, branch_id,"
        " unit_path, name, 9, '\\x00' FROM spot_check_candidates LIMIT 1",
        "UPDATE spot_check_records SET rank = 7",
        "UPDATE spot_checks SET seed = 'another'",
    ):
        with pytest.raises(DBAPIError, match="frozen|committed|once"):
            async with owner_engine.begin() as conn:
                await conn.execute(sa.text(statement))


async def test_commitment_refusals(gql, world, targets) -> None:  # type: ignore[no-untyped-def]
    none = await commit(gql, world)
    assert [(e["code"], e["field"]) for e in none["errors"]] == [("NO_CANDIDATES", "schoolIds")]
    await targets.add("A1a", 1)
    bad = await gql(
        "mutation($input: CommitSpotCheckInput!) { commitSpotCheck(input: $input)"
        " { spotCheck { id } errors { code field } } }",
        {
            "input": {
                "commissionId": world.gid("commission"),
                "name": "抽查",
                "seedSha256": "abc",
                "perSchool": 1,
            }
        },
        world.tokens["commission_admin"],
    )
    assert bad["data"]["commitSpotCheck"]["errors"] == [
        {"code": "INVALID_COMMITMENT", "field": "seedSha256"}
    ]
    both = await commit(gql, world, perSchool=1, share=0.2)
    assert [e["code"] for e in both["errors"]] == ["INVALID_SIZE"]
    other = await commit(gql, world, perSchool=1, schoolIds=[world.gid("C")])
    assert [e["code"] for e in other["errors"]] == ["UNKNOWN_SCHOOL"]
    only_b = await commit(gql, world, perSchool=1, schoolIds=[world.gid("B")])
    assert [e["code"] for e in only_b["errors"]] == ["NO_CANDIDATES"]


async def test_every_operation_is_audited(gql, world, targets, owner_engine) -> None:  # type: ignore[no-untyped-def]
    await targets.add("A1a", 1)
    check = (await commit(gql, world))["spotCheck"]
    await draw(gql, world, check["id"])
    operations = await scalar(
        owner_engine,
        "SELECT string_agg(operation, ',' ORDER BY id) FROM audit_log"
        " WHERE object_type = 'SpotCheck'",
    )
    assert operations == "commitSpotCheck,drawSpotCheck"
    seed = await scalar(
        owner_engine, "SELECT after->>'seed' FROM audit_log WHERE operation = 'drawSpotCheck'"
    )
    assert seed == SEED
    denied = await gql(
        "mutation($input: DrawSpotCheckInput!) { drawSpotCheck(input: $input) { errors { code } } }",
        {"input": {"spotCheckId": check["id"], "seed": SEED}},
        world.tokens["commission_viewer"],
    )
    assert codes(denied) == ["FORBIDDEN"]
