"""Access-matrix rows of annulments (一律不予承认): ``annulAdmission`` and the list for the branch
meeting, ``admissionAnnulments``."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from support import gid
from support_matrix import Case

CASES: dict[str, Case] = {
    "annulAdmission": Case(
        'mutation($r: ID!) { annulAdmission(input: {recruitId: $r, reason: "违反规定吸收入党",'
        ' documentNo: "学校甲党委〔2024〕30号"}) { annulment { documentNo } errors { code } } }',
        # The admitted recruit prepare() adds for this row; rows run for every field (bad
        # tokens) take any recruit.
        lambda w, c: {"r": c.get("admitted_recruit", c["recruit"])},
        "school_admin",
        ("unit_admin", "FORBIDDEN"),
        "other_school_admin",
        "recruit.annul where the admission was approved: the school's committee, the commission",
    ),
    "admissionAnnulments": Case(
        "query($u: ID!) { admissionAnnulments(unitId: $u) { totalCount } }",
        lambda w, c: {"u": w.gid("A1a")},
        "branch_secretary",
        ("nobody", "NOT_FOUND"),
        "other_school_admin",
        "recruit.read at the unit: every role that reads recruits reads the list",
    ),
}


async def prepare(
    gql: Any, world: Any, owner_engine: Any, field: str | None, ids: dict[str, str]
) -> dict[str, str]:
    if field != "annulAdmission":
        return {}
    async with owner_engine.begin() as conn:  # committed: the API reads it
        recruit = await conn.scalar(
            sa.text(
                "INSERT INTO recruits (school_id, branch_id, unit_path, name, gender, ethnicity,"
                " birth_date, id_number_enc, id_number_hash, id_number_masked, category, education,"
                " stage, stage_since, applied_on, activist_on, target_on, approved_on)"
                " SELECT school_id, id, path, '某某', 'male', '汉族', '2003-05-04', '\\x00',"
                " '\\xa1', 'x', 'undergraduate', 'bachelor', 'probationary', '2024-06-25',"
                " '2022-09-15', '2023-01-01', '2023-06-01', '2024-06-25' FROM units WHERE id = :b"
                " RETURNING id"
            ),
            {"b": world.units["A1a"]},
        )
    return {"admitted_recruit": gid("Recruit", recruit)}
