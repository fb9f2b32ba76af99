"""In-process latency of recordStep (not a unit test; see bench/README.md).

    python bench/record_step.py [--recruits 40]

Starts an embedded PostgreSQL in a temporary directory with one Shanxi school (region 14, so
the built-in overlay applies) whose commission also stores an overlay as data, and a roster for
the introducers and contacts; creates N recruits through the API and walks each through the
procedure (22 steps, 2022 to 2025) with ``recordStep``, one request per step. Every request
loads the procedure, judges the step and re-derives the recruit from its whole history, so the
later steps of a walk cost the most. Prints p50 / p95 over every step, and over the last ten
steps of each walk. Figures from one 2-core machine only compare with figures taken in the
same run.
"""

from __future__ import annotations

import argparse
import asyncio
from datetime import date
from typing import Any

import sqlalchemy as sa
from harness import gid, report, scratch_database, service
from sqlalchemy.ext.asyncio import create_async_engine

from partyplan.resolvers.recruits.rules.identity import check_character
from partyplan.resolvers.recruits.rules.overlays import EXAMPLE_PRE_REVIEW_1M, Overlay
from partyplan.resolvers.recruits.rules.serialization import overlay_to_json
from partyplan.server.database import async_url

CREATE = """mutation($input: CreateRecruitInput!) { createRecruit(input: $input) {
  recruit { id } errors { code field message } } }"""
STEP = """mutation($input: RecordStepInput!) { recordStep(input: $input) {
  recruit { stage nextStep nextDueOn openFindings } errors { code field message } } }"""
SET_OVERLAY = """mutation($c: ID!, $o: JSON!) { setRuleOverlay(input: {commissionId: $c,
  overlay: $o}) { errors { code field message } } }"""

ROSTER = ("m-101", "m-102")
VOTES = {"entitled": 25, "present": 21, "in_favour": 20}
# A student's path through the procedure, each step accepted (as tests/recruits walk it).
WALK: list[tuple[str, date, dict[str, Any]]] = [
    ("talk", date(2022, 10, 10), {"talked_by": "支部书记"}),
    ("activist", date(2023, 3, 20), {"recommended_by": "mass_organization"}),
    ("activist_filing", date(2023, 3, 27), {}),
    ("contacts", date(2023, 3, 28), {"contacts": list(ROSTER)}),
    ("cultivation", date(2023, 9, 20), {"assessment": "合格"}),
    ("cultivation", date(2024, 3, 18), {"assessment": "合格"}),
    ("development_target", date(2024, 3, 25), {}),
    ("target_filing", date(2024, 3, 29), {}),
    ("introducers", date(2024, 4, 1), {"introducers": list(ROSTER)}),
    ("political_review", date(2024, 4, 20), {"conclusion": "qualified"}),
    ("training", date(2024, 4, 26), {"days": 3, "hours": 24}),
    ("branch_committee_review", date(2024, 5, 10), {}),
    ("pre_review", date(2024, 5, 17), {}),
    ("application_form", date(2024, 5, 24), {}),
    ("branch_meeting", date(2024, 6, 5), VOTES),
    ("committee_talk", date(2024, 6, 14), {"talked_by": "组织员"}),
    ("approval", date(2024, 6, 25), {"document_no": "党委〔2024〕12号"}),
    ("assignment", date(2024, 6, 28), {"group": "第一党小组"}),
    ("oath", date(2024, 7, 1), {}),
    ("approval_filing", date(2024, 7, 5), {}),
    ("probation_education", date(2024, 9, 30), {}),
    ("probation_education", date(2024, 12, 30), {}),
]


def id_number(sequence: int) -> str:
    """A valid ID number (GB 11643) of a man born 2003-05-04 in 忻州 (140902)."""
    first_17 = f"14090220030504{(sequence * 2 + 1) % 1000:03d}"
    return first_17 + check_character(first_17)


async def seed(owner_url: str) -> dict[str, int]:
    engine = create_async_engine(async_url(owner_url))
    ids: dict[str, int] = {}
    async with engine.begin() as conn:
        q = sa.text(
            "INSERT INTO units (kind, name, parent_id, path, region_code) "
            "VALUES (:k, :n, :p, '0', :r) RETURNING id"
        )
        ids["commission"] = await conn.scalar(
            q, {"k": "commission", "n": "工委", "p": None, "r": "14"}
        )
        ids["school"] = await conn.scalar(
            q, {"k": "school", "n": "学校", "p": ids["commission"], "r": None}
        )
        ids["branch"] = await conn.scalar(
            q, {"k": "branch", "n": "第一党支部", "p": ids["school"], "r": None}
        )
        ids["admin"] = await conn.scalar(
            sa.text(
                "INSERT INTO users (username, display_name, home_unit_id, home_path, school_id) "
                "SELECT 'admin', 'admin', id, path, school_id FROM units WHERE id = :i "
                "RETURNING id"
            ),
            {"i": ids["commission"]},
        )
        await conn.execute(
            sa.text(
                "INSERT INTO role_bindings (user_id, role, unit_id, unit_path, school_id) "
                "SELECT :user, 'commission_admin', id, path, school_id FROM units WHERE id = :i"
            ),
            {"user": ids["admin"], "i": ids["commission"]},
        )
        await conn.execute(
            sa.text(
                "INSERT INTO members (school_id, branch_id, unit_path, code, name, joined_on,"
                " full_on) SELECT school_id, id, path, c, '老党员', '1999-07-01', '2000-07-01'"
                " FROM units, unnest(CAST(:codes AS text[])) c WHERE id = :unit"
            ),
            {"codes": list(ROSTER), "unit": ids["branch"]},
        )
    await engine.dispose()
    return ids


async def main(recruits: int) -> None:
    async with scratch_database() as (owner, workdir):
        ids = await seed(owner)
        async with service(owner, workdir) as (platform, client):
            headers = {"Authorization": f"Bearer {platform.tokens.mint(str(ids['admin']), 3600)}"}

            async def call(query: str, variables: dict[str, Any]) -> tuple[dict[str, Any], float]:
                start = asyncio.get_running_loop().time()
                response = await client.post(
                    "/graphql", json={"query": query, "variables": variables}, headers=headers
                )
                elapsed = asyncio.get_running_loop().time() - start
                data = response.json()
                assert "errors" not in data, data
                payload = next(iter(data["data"].values()))
                assert payload["errors"] == [], payload
                return payload, elapsed

            overlay = Overlay(
                id="bench-pre-review",
                title="预审时限",
                document="地方发展党员规程（示例）",
                province="14",
                rules=(EXAMPLE_PRE_REVIEW_1M,),
            )
            await call(
                SET_OVERLAY, {"c": gid("Unit", ids["commission"]), "o": overlay_to_json(overlay)}
            )
            every, late = [], []
            for n in range(recruits):
                person = {
                    "branchId": gid("Unit", ids["branch"]),
                    "name": "李明",
                    "gender": "MALE",
                    "ethnicity": "汉族",
                    "birthDate": "2003-05-04",
                    "idNumber": id_number(n + 1),
                    "category": "UNDERGRADUATE",
                    "education": "BELOW_COLLEGE",
                    "applicationDate": "2022-09-15",
                }
                created, _ = await call(CREATE, {"input": person})
                recruit = created["recruit"]["id"]
                for index, (code, on, data) in enumerate(WALK):
                    step = {"recruitId": recruit, "step": code.upper(), "on": on.isoformat()}
                    _, elapsed = await call(STEP, {"input": {**step, "data": data}})
                    every.append(elapsed)
                    if index >= len(WALK) - 10:
                        late.append(elapsed)
            report("recordStep (every step)", every)
            report("recordStep (last 10 of 22)", late)


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--recruits", type=int, default=40)
    args = parser.parse_args()
    asyncio.run(main(args.recruits))
