"""Demo data: the Shanxi commission with a handful of schools (忻州师范学院 with its 中层党组织 and
branches), and the Chongqing commission with 重庆幼儿师范高等专科学校 and the five branches of its
2019 H2 table (seeds/chongqing-2019-h2-guiding-plan-notice.txt). One account per demo role.

Plans: the Shanxi 2023 calendar-year plan issued to 忻州师范学院 (晋教工委组〔2023〕23号) and
subdivided to its 中层党组织 with a staff reserve; Chongqing's 2019 H2 period with the five
branches' forecasts (32, 6, 7, 3, 5 → 53).

Loaded as the owner, idempotently: a second run finds the commission's code and adds nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection, create_async_engine

from partyplan.resolvers.annulments import service as annulments
from partyplan.resolvers.attachments.storage import BlobStore
from partyplan.resolvers.members import service as members_service
from partyplan.resolvers.placements import service as placements
from partyplan.resolvers.plans.rules import Amounts
from partyplan.resolvers.plans.service import forecasts, periods, quotas
from partyplan.resolvers.recruits.pii import PiiCipher
from partyplan.resolvers.recruits.rules import identity
from partyplan.resolvers.recruits.rules.calendar import SAMPLE_CALENDAR_2023
from partyplan.resolvers.recruits.service import procedure_admin
from partyplan.resolvers.recruits.service import records as recruit_service
from partyplan.resolvers.recruits.service.records import today
from partyplan.resolvers.warnings.service.scan import scan
from partyplan.tenants.session import Session

from . import demo_checks, demo_datacalls, demo_feasibility, demo_placements, demo_province
from .database import async_url
from .demo_attachments import seed_attachments
from .demo_province import ESTABLISHED, school_trees
from .demo_sign_in import set_passwords

# (code, kind, name, children)
Tree = tuple[str, str, str, list["Tree"]]

XINZHOU: Tree = (
    "SX-XZSY",
    "school",
    "中共忻州师范学院委员会",
    [
        (
            "SX-XZSY-JG",
            "committee",
            "机关党委",
            [
                ("SX-XZSY-JG-01", "branch", "党政办公室党支部", []),
                ("SX-XZSY-JG-02", "branch", "组织人事党支部", []),
            ],
        ),
        (
            "SX-XZSY-ZW",
            "committee",
            "中文系党总支",
            [
                ("SX-XZSY-ZW-01", "branch", "中文系教工党支部", []),
                ("SX-XZSY-ZW-02", "branch", "中文系学生第一党支部", []),
                ("SX-XZSY-ZW-03", "branch", "中文系学生第二党支部", []),
            ],
        ),
        (
            "SX-XZSY-SJ",
            "committee",
            "数学与计算机科学系党总支",
            [
                ("SX-XZSY-SJ-01", "branch", "数学与计算机科学系教工党支部", []),
                ("SX-XZSY-SJ-02", "branch", "数学与计算机科学系学生党支部", []),
            ],
        ),
        (
            "SX-XZSY-JY",
            "committee",
            "教育系党总支",
            [
                ("SX-XZSY-JY-01", "branch", "教育系教工党支部", []),
                ("SX-XZSY-JY-02", "branch", "教育系学生党支部", []),
            ],
        ),
    ],
)

SHANXI: Tree = ("SX-JGW", "commission", "中共山西省委教育工作委员会", [XINZHOU])

CHONGQING: Tree = (
    "CQ-JGW",
    "commission",
    "中共重庆市委教育工作委员会",
    [
        (
            "CQ-YEZ",
            "school",
            "中共重庆幼儿师范高等专科学校委员会",
            [
                ("CQ-YEZ-01", "committee", "学前教育系党总支部", []),
                ("CQ-YEZ-02", "branch", "初等教育与应用技术系党支部", []),
                ("CQ-YEZ-03", "branch", "音乐教育系党支部", []),
                ("CQ-YEZ-04", "branch", "美术教育系党支部", []),
                ("CQ-YEZ-05", "branch", "语言文学系党支部", []),
            ],
        ),
    ],
)

# 附件 1 of 重庆幼专党委〔2019〕51 号: (unit code, forecast, of which staff, high-knowledge, 备注)
CHONGQING_FORECASTS = [
    ("CQ-YEZ-01", 32, 2, 1, "2 名教师（1 名高知识群体教师）"),
    ("CQ-YEZ-02", 6, 0, 0, None),
    ("CQ-YEZ-03", 7, 0, 0, None),
    ("CQ-YEZ-04", 3, 0, 0, None),
    ("CQ-YEZ-05", 5, 0, 0, None),
]

# (username, display name, role, unit code)
ACCOUNTS = [
    ("sx-admin", "工委组织部管理员", "commission_admin", "SX-JGW"),
    ("sx-viewer", "工委查看员", "commission_viewer", "SX-JGW"),
    ("xz-admin", "忻州师院组织部", "school_admin", "SX-XZSY"),
    ("xz-zw-admin", "中文系党总支", "unit_admin", "SX-XZSY-ZW"),
    ("xz-zw-secretary", "中文系学生第一党支部书记", "branch_secretary", "SX-XZSY-ZW-02"),
    ("xz-viewer", "忻州师院查看员", "viewer", "SX-XZSY"),
    ("xz-sync", "忻州师院 12371 同步", "sync_agent", "SX-XZSY"),
    ("cq-admin", "重庆市委教育工委组织部", "commission_admin", "CQ-JGW"),
    ("cqyz-admin", "重庆幼专组织部", "school_admin", "CQ-YEZ"),
    ("cqyz-secretary", "音乐教育系党支部书记", "branch_secretary", "CQ-YEZ-03"),
]


@dataclass(frozen=True)
class DemoAccount:
    user_id: int
    username: str
    role: str
    unit_name: str


async def _insert_tree(
    conn: AsyncConnection, tree: Tree, parent_id: int | None, since: date | None = None
) -> None:
    """``since``: when the units were set up (now, unless the demo says they are older)."""
    code, kind, name, children = tree
    since = ESTABLISHED if code in PROVINCE_CODES else since
    unit_id = await conn.scalar(
        sa.text(
            "INSERT INTO units (kind, name, code, parent_id, path, created_at) "
            "VALUES (:kind, :name, :code, :parent, '0', coalesce(:since, now())) RETURNING id"
        ),
        {"kind": kind, "name": name, "code": code, "parent": parent_id, "since": since},
    )
    for child in children:
        await _insert_tree(conn, child, unit_id, since)


PROVINCE_CODES = frozenset(t[0] for t in school_trees())

# GB/T 2260 province codes: which province's procedure overlays apply.
REGIONS = {"SX-JGW": "14", "CQ-JGW": "50"}


async def _seed(conn: AsyncConnection, province: bool) -> None:
    for tree in (SHANXI, CHONGQING):
        exists = await conn.scalar(sa.text("SELECT 1 FROM units WHERE code = :c"), {"c": tree[0]})
        if not exists:
            await conn.execute(
                sa.text(
                    "INSERT INTO units (kind, name, code, path, region_code) "
                    "VALUES ('commission', :n, :c, '0', :r)"
                ),
                {"n": tree[2], "c": tree[0], "r": REGIONS[tree[0]]},
            )
            root = await conn.scalar(
                sa.text("SELECT id FROM units WHERE code = :c"), {"c": tree[0]}
            )
            for child in tree[3]:
                await _insert_tree(conn, child, root)
    if province:
        shanxi = await _unit_id(conn, SHANXI[0])
        for tree in school_trees():
            if not await conn.scalar(
                sa.text("SELECT 1 FROM units WHERE code = :c"), {"c": tree[0]}
            ):
                await _insert_tree(conn, tree, shanxi)
    for username, display_name, role, code in ACCOUNTS:
        await conn.execute(
            sa.text(
                "INSERT INTO users (username, display_name, home_unit_id, home_path, school_id) "
                "SELECT :u, :d, id, path, school_id FROM units WHERE code = :c "
                "ON CONFLICT (username) DO NOTHING"
            ),
            {"u": username, "d": display_name, "c": code},
        )
        await conn.execute(
            sa.text(
                "INSERT INTO role_bindings (user_id, role, unit_id, unit_path, school_id) "
                "SELECT u.id, :r, n.id, n.path, n.school_id FROM users u, units n "
                "WHERE u.username = :u AND n.code = :c "
                "ON CONFLICT (user_id, role, unit_id) DO NOTHING"
            ),
            {"u": username, "r": role, "c": code},
        )


async def _as(conn: AsyncConnection, username: str) -> Session:
    """A session acting as a demo account, so demo plans go through the real services (rules,
    derived balances, audit) rather than hand-written rows."""
    user_id = await conn.scalar(
        sa.text("SELECT id FROM users WHERE username = :u"), {"u": username}
    )
    return await Session.bound(conn, user_id)


async def _unit_id(conn: AsyncConnection, code: str) -> int:
    return await conn.scalar(sa.text("SELECT id FROM units WHERE code = :c"), {"c": code})


async def _unit_ids(conn: AsyncConnection) -> dict[str, int]:
    rows = await conn.execute(sa.text("SELECT code, id FROM units WHERE code IS NOT NULL"))
    return {r.code: r.id for r in rows}


async def _seed_plans(conn: AsyncConnection, on: date, province: bool) -> None:
    exists = await conn.scalar(sa.text("SELECT 1 FROM plan_periods LIMIT 1"))
    if not exists:
        await _seed_base_plans(conn)
    if province and not await conn.scalar(
        sa.text(
            "SELECT 1 FROM plan_periods p JOIN units c ON c.id = p.commission_id"
            " WHERE c.code = :c AND p.starts_on > '2023-12-31'"
        ),
        {"c": SHANXI[0]},
    ):
        shanxi = await _as(conn, "sx-admin")
        await demo_province.seed_plans(conn, shanxi, await _unit_ids(conn), on)


async def _seed_base_plans(conn: AsyncConnection) -> None:
    shanxi = await _as(conn, "sx-admin")
    period = await periods.create_period(
        shanxi,
        commission_id=await _unit_id(conn, "SX-JGW"),
        name="2023 年度",
        kind="calendar_year",
        starts_on=date(2023, 1, 1),
        ends_on=date(2023, 12, 31),
        report_due_on=None,
    )
    await quotas.issue(
        shanxi,
        period_id=period.id,
        school_id=await _unit_id(conn, "SX-XZSY"),
        amounts=Amounts(60, students=45, staff=15, high_knowledge=5),
        document_no="晋教工委组〔2023〕23号",
        document_date=date(2023, 3, 27),
        targets=[
            quotas.Target("youth_35", None, Decimal("80")),
            quotas.Target("college_educated", None, Decimal("100")),
        ],
    )
    await periods.change_state(shanxi, period_id=period.id, state="issued")
    calendar = SAMPLE_CALENDAR_2023  # the official 2023 arrangement (节假日与调休)
    await procedure_admin.set_working_calendar(
        shanxi,
        commission_id=await _unit_id(conn, "SX-JGW"),
        year=2023,
        holidays=sorted(d for d in calendar.holidays if d.year == 2023),
        workdays=sorted(d for d in calendar.makeup_workdays if d.year == 2023),
    )
    xinzhou = await _as(conn, "xz-admin")
    await quotas.set_reserve(
        xinzhou,
        period_id=period.id,
        unit_id=await _unit_id(conn, "SX-XZSY"),
        reserve=Amounts(5, staff=5),
        reason="学校党委统筹教师名额",
    )
    for code, amounts in [
        ("SX-XZSY-JG", Amounts(6, staff=6, high_knowledge=2)),
        ("SX-XZSY-ZW", Amounts(18, students=16, staff=2, high_knowledge=1)),
        ("SX-XZSY-SJ", Amounts(16, students=15, staff=1, high_knowledge=1)),
        ("SX-XZSY-JY", Amounts(12, students=11, staff=1)),
    ]:
        await quotas.allocate(
            xinzhou,
            period_id=period.id,
            from_unit_id=await _unit_id(conn, "SX-XZSY"),
            to_unit_id=await _unit_id(conn, code),
            amounts=amounts,
            targets=[],
        )

    chongqing = await _as(conn, "cq-admin")
    half = await periods.create_period(
        chongqing,
        commission_id=await _unit_id(conn, "CQ-JGW"),
        name="2019 年下半年",
        kind="half_year",
        starts_on=date(2019, 7, 1),
        ends_on=date(2019, 12, 31),
        report_due_on=date(2020, 1, 31),
    )
    school = await _as(conn, "cqyz-admin")
    for code, total, staff, high_knowledge, remark in CHONGQING_FORECASTS:
        await forecasts.submit(
            school,
            period_id=half.id,
            unit_id=await _unit_id(conn, code),
            amounts=Amounts(total, staff=staff, high_knowledge=high_knowledge),
            remark=remark,
        )


# (name, gender, birth date, ethnicity, sequence, branch code, steps up to and including)
RECRUITS = [
    ("张晓雨", "female", date(2003, 4, 12), "汉族", 11, "SX-XZSY-ZW-02", "approval"),
    ("马俊杰", "male", date(2002, 11, 3), "回族", 12, "SX-XZSY-ZW-02", "development_target"),
    ("李思远", "male", date(2004, 2, 29), "汉族", 13, "SX-XZSY-ZW-03", "activist"),
    # Admitted, then found irregular and annulled (_seed_annulment): counted nowhere.
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


async def _seed_recruits(
    conn: AsyncConnection, cipher: PiiCipher, on: date, province: bool
) -> None:
    if not await conn.scalar(sa.text("SELECT 1 FROM recruits LIMIT 1")):
        await _seed_base_recruits(conn, cipher)
    if province and not await conn.scalar(
        sa.text("SELECT 1 FROM recruits r JOIN units s ON s.id = r.school_id WHERE s.code = :c"),
        {"c": school_trees()[0][0]},  # a school only the province demo has
    ):
        await demo_province.seed_recruits(
            await _as(conn, "sx-admin"), cipher, await _unit_ids(conn), on
        )


async def _seed_base_recruits(conn: AsyncConnection, cipher: PiiCipher) -> None:
    school = await _as(conn, "xz-admin")
    await _seed_roster(
        school, await _unit_id(conn, "SX-XZSY"), await _unit_id(conn, "SX-XZSY-ZW-01")
    )
    for name, gender, birth, ethnicity, sequence, branch, last in RECRUITS:
        recruit = await recruit_service.create_recruit(
            school,
            cipher,
            "Asia/Shanghai",
            branch_id=await _unit_id(conn, branch),
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


async def _seed_named_targets(conn: AsyncConnection) -> None:
    """The 2023 plan reaching people (docs/named-targets.md): 中文系 hands two places to its
    first student branch, which puts them on 张晓雨 (admitted on hers in September: consumed)
    and 马俊杰, and names 马俊杰 behind its forecast."""
    if await conn.scalar(sa.text("SELECT 1 FROM named_targets LIMIT 1")):
        return
    period_id = await conn.scalar(
        sa.text(
            "SELECT p.id FROM plan_periods p JOIN units c ON c.id = p.commission_id"
            " WHERE c.code = 'SX-JGW' AND p.name = '2023 年度'"
        )
    )
    branch = await _unit_id(conn, "SX-XZSY-ZW-02")
    recruits = await conn.execute(
        sa.text("SELECT name, id FROM recruits WHERE branch_id = :b"), {"b": branch}
    )
    ids = dict(recruits.all())
    if period_id is None or not {"张晓雨", "马俊杰"} <= set(ids):
        return
    await quotas.allocate(
        await _as(conn, "xz-admin"),
        period_id=period_id,
        from_unit_id=await _unit_id(conn, "SX-XZSY-ZW"),
        to_unit_id=branch,
        amounts=Amounts(2, students=2),
        targets=[],
    )
    secretary = await _as(conn, "xz-zw-secretary")
    named = [ids["张晓雨"], ids["马俊杰"]]
    await placements.place(secretary, period_id=period_id, unit_id=branch, recruit_ids=named)
    await placements.name_forecast(
        secretary, period_id=period_id, unit_id=branch, recruit_ids=[ids["马俊杰"]]
    )


async def _seed_annulment(conn: AsyncConnection) -> None:
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
        await _as(conn, "xz-admin"),
        recruit_id=recruit_id,
        reason="政治审查未形成结论性材料即提交支部大会讨论，违反规定吸收入党",
        document_no="忻师院党委〔2023〕40号",
        annulled_on=date(2023, 11, 20),
        today=today("Asia/Shanghai"),
    )


async def load_demo(
    owner_url: str,
    cipher: PiiCipher | None = None,
    *,
    province: bool = False,
    password: str | None = None,
    store: BlobStore | None = None,
) -> list[DemoAccount]:
    """Load the demo tree, accounts, plans and (with the PII key) recruits, idempotently, run
    the warning scan, and return the demo accounts. ``province``: also the ten more Shanxi
    schools of ``demo_province``, their plans dated from today and their recruits in every
    stage (every step through the services: about 50 s the first time). ``password``: the
    demo people's password (``demo_sign_in``), set where they have none."""
    engine = create_async_engine(async_url(owner_url))
    try:
        async with engine.begin() as conn:
            on = today("Asia/Shanghai")
            await _seed(conn, province)
            await _seed_plans(conn, on, province)
            await demo_checks.seed_equal_split(conn)
            await demo_datacalls.seed(conn, _as, on)
            if cipher is not None:
                await _seed_recruits(conn, cipher, on, province)
                await _seed_named_targets(conn)
                await _seed_annulment(conn)
                if store is not None:  # attachments need the store the server is given
                    await seed_attachments(conn, await _as(conn, "xz-admin"), store)
                if province:
                    await demo_province.finish(
                        await _as(conn, "sx-admin"), await _unit_ids(conn), on
                    )
                    await demo_feasibility.seed(conn, _as, on)
                    await demo_placements.seed(conn, _as, on)
                await demo_checks.seed_spot_check(conn)
            if password is not None:
                await set_passwords(conn, [a[0] for a in ACCOUNTS], password)
            # What the daily scheduler would have raised by now (idempotent too).
            await scan(conn, on)
            rows = await conn.execute(
                sa.text(
                    "SELECT u.id, u.username, b.role, n.name FROM users u "
                    "JOIN role_bindings b ON b.user_id = u.id JOIN units n ON n.id = b.unit_id "
                    "WHERE u.username = ANY(:names) ORDER BY u.id"
                ),
                {"names": [a[0] for a in ACCOUNTS]},
            )
            return [DemoAccount(r.id, r.username, r.role, r.name) for r in rows.all()]
    finally:
        await engine.dispose()
