"""Shared by the spot-check tests and their matrix rows: development targets written as the
owner, and the API calls."""

from __future__ import annotations

import hashlib
from datetime import date
from typing import Any

import pytest
from support_records import Records

SEED = "6f1d0c5e9a4b7c2d8e3f1a0b9c8d7e6f5a4b3c2d1e0f9a8b7c6d5e4f3a2b1c0d"

CHECK = """id name state algorithm perSchool share seedSha256 listSha256 candidateCount seed
  candidates(first: 100) { totalCount edges { node { ordinal drawKey schoolKey name recruitId } } }"""
COMMIT = f"""mutation($input: CommitSpotCheckInput!) {{ commitSpotCheck(input: $input) {{
  spotCheck {{ {CHECK} }} errors {{ code field message }} }} }}"""
DRAW = f"""mutation($input: DrawSpotCheckInput!) {{ drawSpotCheck(input: $input) {{
  spotCheck {{ {CHECK} }} errors {{ code field message }} }} }}"""
RECORD = (
    "id name rank ticket ordinal finding step ruleId article note followUp followUpNote closingNote"
)
RECORDS = f"""query($check: ID, $under: ID) {{ spotCheckRecords(spotCheckId: $check, under: $under)
  {{ totalCount edges {{ node {{ {RECORD} schoolId }} }} }} }}"""
FINDING = f"""mutation($input: RecordSpotCheckFindingInput!) {{
  recordSpotCheckFinding(input: $input) {{ record {{ {RECORD} }} errors {{ code field message }} }} }}"""
FOLLOW_UP = f"""mutation($input: SpotCheckFollowUpInput!) {{
  followUpSpotCheck(input: $input) {{ record {{ {RECORD} }} errors {{ code field message }} }} }}"""
CLOSE = f"""mutation($input: SpotCheckFollowUpInput!) {{
  closeSpotCheck(input: $input) {{ record {{ {RECORD} }} errors {{ code field message }} }} }}"""


def sha256_hex(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


class Targets:
    def __init__(self, records: Records) -> None:
        self.records = records
        self.serial = 0

    async def add(self, branch: str, count: int, stage: str = "development_target") -> list[int]:
        ids = []
        for _ in range(count):
            self.serial += 1
            recruit = await self.records.recruit(
                branch, stage=stage, activist_on=date(2023, 1, 1), target_on=date(2024, 3, 1)
            )
            await self.records.sql(
                "UPDATE recruits SET name = :n WHERE id = :r", n=f"对象{self.serial:02d}", r=recruit
            )
            ids.append(recruit)
        return ids


@pytest.fixture
def targets(owner_engine, world) -> Targets:  # type: ignore[no-untyped-def]
    return Targets(Records(owner_engine, world))


async def commit(gql, world, seed: str = SEED, **size: Any) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    result = await gql(
        COMMIT,
        {
            "input": {
                "commissionId": world.gid("commission"),
                "name": "2024 年发展对象随机抽查",
                "seedSha256": sha256_hex(seed),
                **(size or {"perSchool": 2}),
            }
        },
        world.tokens["commission_admin"],
    )
    assert "errors" not in result, result
    return result["data"]["commitSpotCheck"]


async def draw(gql, world, check: str, seed: str = SEED) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    result = await gql(
        DRAW, {"input": {"spotCheckId": check, "seed": seed}}, world.tokens["commission_admin"]
    )
    assert "errors" not in result, result
    return result["data"]["drawSpotCheck"]


async def records_of(gql, world, account: str, check: str | None = None) -> list[dict[str, Any]]:  # type: ignore[no-untyped-def]
    result = await gql(RECORDS, {"check": check}, world.tokens[account])
    assert "errors" not in result, result
    return [e["node"] for e in result["data"]["spotCheckRecords"]["edges"]]
