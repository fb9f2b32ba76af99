"""The demo's people (needs the PII key): the roster of 中文系教工党支部, whose teachers
cultivate and introduce; four students of 中文系 walked through the steps of the 2022–2023
cohort (up to approval, development target, activist), one of whose admissions is then annulled
as irregular; and, with ``province``, the province's recruits of ``demo_province``.

Through the real services (every step judged by the rules), idempotently: each part is skipped
when what it creates is already there.
"""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from partyplan.resolvers.annulments import service as annulments
from partyplan.resolvers.members import service as members_service
from partyplan.resolvers.recruits.pii import PiiCipher
from partyplan.resolvers.recruits.rules import identity
from partyplan.resolvers.recruits.service import records as recruit_service
from partyplan.resolvers.recruits.service.records import today
from partyplan.tenants.session import Session

from . import demo_province
from .demo_province import school_trees
from .demo_tree import session_as, unit_id_of, unit_ids_by_code

__all__ = ["DEMO_WALK", "RECRUITS", "ROSTER", "seed_annulment", "seed_recruits"]

# (name, gender, birth date, ethnicity, sequence, branch code, steps up to and including)
RECRUITS = [
    ("张晓雨", "female", date(2003, 4, 12), "汉族", 11, "SX-XZSY-ZW-02", "approval"),
    ("马俊杰", "male", date(2002, 11, 3), "回族", 12, "SX-XZSY-ZW-02", "development_target"),
    ("李思远", "male", date(2004, 2, 29), "汉族", 13, "SX-XZSY-ZW-03", "activist"),
    # Admitted, then found irregular and annulled (seed_annulment): counted nowhere.
    ("周文博", "male", date(2003, 8, 15), "汉族", 14, "SX-XZSY-ZW-03", "approval"),
]
# A student's path through the steps (dates of the 2022–2023 cohort).
DEMO_WALK: list[tuple[str, date, dict[str, object]]] = [
    ("talk", date(2022, 3, 20), {"talked_by": "支部书记"}),
    ("activist", date(2022, 6, 20), {"recommended_by": "mass_organization"}),
    ("activist_filing", date(2022, 6, 27), {}),
    ("contacts", date(2022, 6, 28), {"contacts": ["XZSY-0101", "XZSY-0102"]}),
    ("cultivation", date(2022, 12, 20), {"assessment": "合格"}),
    ("development_target", date(2023, 6, 26), {}),
    ("target_filing", date(2023, 6, 29), {}),
    ("introducers", date(2023, 7, 3), {"introducers": ["XZSY-0101", "XZSY-0102"]}),
    ("political_review", date(2023, 7, 20), {"conclusion": "qualified"}),
    ("training", date(2023, 7, 26), {"days": 3, "hours": 24}),
    ("branch_committee_review", date(2023, 8, 10), {}),
    ("pre_review", date(2023, 8, 17), {}),
    ("application_form", date(2023, 8, 24), {}),
    ("branch_meeting", date(2023, 9, 5), {"entitled": 25, "present": 21, "in_favour": 20}),
    ("committee_talk", date(2023, 9, 14), {"talked_by": "组织员"}),
    ("approval", date(2023, 9, 25), {"document_no": "忻师院党委〔2023〕31号"}),
]


# The roster of 中文系教工党支部: the teachers who cultivate and introduce the demo's students.
ROSTER = [
    ("XZSY-0101", "王建国", date(1998, 6, 20), date(1999, 6, 25)),
    ("XZSY-0102", "刘淑芬", date(2005, 5, 30), date(2006, 6, 2)),
    ("XZSY-0103", "赵志强", date(2021, 12, 1), None),  # still probationary in 2022–2023
]


async def _seed_roster(school: Session, school_id: int, branch_id: int) -> None:
    rows = [
        members_service.MemberRow(
            code=code, name=name, branch_id=branch_id, joined_on=joined, full_on=full
        )
        for code, name, joined, full in ROSTER
    ]
    await members_service.import_members(
        school, school_id=school_id, rows=rows, source="manual", today=today("Asia/Shanghai")
    )


def _id_number(birth: date, sequence: int, gender: str) -> str:
    serial = sequence * 2 + (1 if gender == "male" else 0)
    first_17 = f"140902{birth:%Y%m%d}{serial % 1000:03d}"
    return first_17 + identity.check_character(first_17)


async def seed_recruits(conn: AsyncConnection, cipher: PiiCipher, on: date, province: bool) -> None:
    if not await conn.scalar(sa.text("SELECT 1 FROM recruits LIMIT 1")):
        await _seed_base_recruits(conn, cipher)
    if province and not await conn.scalar(
        sa.text("SELECT 1 FROM recruits r JOIN units s ON s.id = r.school_id WHERE s.code = :c"),
        {"c": school_trees()[0][0]},  # a school only the province demo has
    ):
        await demo_province.seed_recruits(
            await session_as(conn, "sx-admin"), cipher, await unit_ids_by_code(conn), on
        )


async def _seed_base_recruits(conn: AsyncConnection, cipher: PiiCipher) -> None:
    school = await session_as(conn, "xz-admin")
    await _seed_roster(
        school, await unit_id_of(conn, "SX-XZSY"), await unit_id_of(conn, "SX-XZSY-ZW-01")
    )
    for name, gender, birth, ethnicity, sequence, branch, last in RECRUITS:
        recruit = await recruit_service.create_recruit(
            school,
            cipher,
            "Asia/Shanghai",
            branch_id=await unit_id_of(conn, branch),
            person=recruit_service.Person(
                name=name,
                gender=gender,
                ethnicity=ethnicity,
                birth_date=birth,
                id_number=_id_number(birth, sequence, gender),
                phone=None,
                category="undergraduate",
                education="below_college",
                professional_title=None,
                high_knowledge=False,
                talent_programme=None,
            ),
            application_date=date(2022, 3, 1),
        )
        for code, day, data in DEMO_WALK[: [w[0] for w in DEMO_WALK].index(last) + 1]:
            await recruit_service.record_step(
                school, "Asia/Shanghai", recruit_id=recruit.id, step_code=code, on=day, data=data
            )


async def seed_annulment(conn: AsyncConnection) -> None:
    """One admission annulled as irregular (一律不予承认, docs/annulments.md): 周文博's, by the
    school's committee; 中文系学生第二党支部 announces it at its general meeting."""
    if await conn.scalar(sa.text("SELECT 1 FROM admission_annulments LIMIT 1")):
        return
    recruit_id = await conn.scalar(
        sa.text("SELECT id FROM recruits WHERE name = '周文博' AND approved_on IS NOT NULL")
    )
    if recruit_id is None:
        return
    await annulments.annul(
        await session_as(conn, "xz-admin"),
        recruit_id=recruit_id,
        reason="政治审查未形成结论性材料即提交支部大会讨论，违反规定吸收入党",
        document_no="忻师院党委〔2023〕40号",
        annulled_on=date(2023, 11, 20),
        today=today("Asia/Shanghai"),
    )
