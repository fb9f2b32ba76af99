"""Access-matrix rows of a member's 留党察看 (``setMemberPartyProbation``)."""

from __future__ import annotations

from typing import Any

from support import gid, scalar
from support_matrix import Case

CASES: dict[str, Case] = {
    "setMemberPartyProbation": Case(
        'mutation($m: ID!) { setMemberPartyProbation(input: {memberId: $m, from: "2023-01-01",'
        ' reason: "校纪委决定"}) { member { standing } errors { code } } }',
        lambda w, c: {"m": c["member"]},
        "school_admin",
        ("branch_secretary", "FORBIDDEN"),
        "other_school_admin",
        "member.manage where the member's branch is; a branch secretary reads but does not set",
    ),
}


async def prepare(
    gql: Any, world: Any, owner_engine: Any, field: str | None, ids: dict[str, str]
) -> dict[str, str]:
    if field != "setMemberPartyProbation":
        return {}
    member = await scalar(
        owner_engine,
        "SELECT id FROM members WHERE school_id = :s AND code = 'm-101'",
        s=world.units["A"],
    )
    return {"member": gid("Member", member)}
