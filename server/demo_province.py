"""The province around 忻州师范学院: ten more Shanxi schools with committees, branches, rosters,
this year's and last year's plans and a few dozen recruits each, dated from today.

Shaped so that the console has something to show on any day of the year: this year's period is
issued and subdivided (today inside it), last year's is closed with its figures (year over year
has data), and the warning scan finds a few of each kind. Which school shows which warning is
declared in ``PROFILES``; the dates come from ``demo_people``. Everything after the tree goes
through the services as the commission's administrator (the rules judge every step).
"""

from __future__ import annotations

import random
from collections import Counter
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncConnection

from partyplan.resolvers.members import service as members_service
from partyplan.resolvers.plans.rules import Amounts
from partyplan.resolvers.plans.service import periods, quotas
from partyplan.resolvers.recruits.pii import PiiCipher
from partyplan.resolvers.recruits.service import records as recruit_service
from partyplan.resolvers.reports import service as reports
from partyplan.tenants.session import Session

from .demo_people import (
    CANCELLED,
    LATE_APPROVAL,
    LATE_OATH,
    LATE_TALK,
    NO_CONVERSION,
    NO_OATH,
    NO_TALK,
    ON_TIME,
    People,
    Walk,
    walk_steps,
)

# (code, kind, name, children), as demo.Tree
Tree = tuple[str, str, str, list["Tree"]]

#: The schools' units were set up long before the demo's records (a branch idle for years is
#: one the long-term-none rule can judge).
ESTABLISHED = date(2005, 9, 1)

FACULTIES = (
    "文学院",
    "历史文化学院",
    "数学科学学院",
    "物理与电子工程学院",
    "化学化工学院",
    "经济管理学院",
    "法学院",
    "外国语学院",
    "计算机科学与技术学院",
    "马克思主义学院",
    "机械工程学院",
    "材料科学与工程学院",
    "生命科学学院",
    "教育科学学院",
    "体育学院",
    "美术学院",
)


@dataclass(frozen=True)
class Profile:
    """A school and what its data is shaped to show.

    ``admitted``: admissions (approvals) in 2023, last year and this year (planned, spread
    over the year); ``pace`` bends this year's spread (1 even, above 1 ahead of the even pace
    line, below 1 behind it); ``rushed``: most of last year's admissions in its last four
    weeks; ``over_plan``: a branch admitted more than it was allocated; ``idle``: a branch with
    activists and no admission for years; ``report``: last year's execution report submitted.
    """

    code: str
    name: str
    region: str  # the ID numbers' area code
    admitted: tuple[int, int, int]
    pace: float = 1.0
    rushed: bool = False
    over_plan: bool = False
    idle: bool = False
    report: bool = True


XINZHOU_CODE = "SX-XZSY"
ROSTER_NAMES = ("李卫东", "张秀兰", "王志刚", "赵丽华", "孙建平", "周玉梅", "吴国庆", "郑桂英")
PROFILES = (
    Profile(XINZHOU_CODE, "中共忻州师范学院委员会", "140902", (0, 6, 8)),
    Profile("SX-SXDX", "中共山西大学委员会", "140105", (6, 7, 10), pace=1.8),
    Profile("SX-TYLG", "中共太原理工大学委员会", "140107", (6, 6, 9), over_plan=True),
    Profile("SX-SXYK", "中共山西医科大学委员会", "140106", (5, 6, 8), idle=True),
    Profile("SX-SXSD", "中共山西师范大学委员会", "141002", (5, 5, 7), idle=True),
    Profile("SX-ZBDX", "中共中北大学委员会", "140108", (5, 6, 8), pace=1.6),
    Profile("SX-SXCJ", "中共山西财经大学委员会", "140109", (5, 6, 7), rushed=True),
    Profile("SX-TYKJ", "中共太原科技大学委员会", "140110", (8, 3, 6)),
    Profile("SX-SXND", "中共山西农业大学委员会", "140727", (4, 5, 8), pace=0.45),
    Profile(
        "SX-CZXY", "中共长治学院委员会", "140402", (4, 4, 7), pace=0.45, idle=True, report=False
    ),
    Profile("SX-YCXY", "中共运城学院委员会", "140802", (2, 7, 6), report=False),
)


def school_tree(profile: Profile, index: int) -> Tree:
    """Three committees (学院党委), each with a staff branch and a student branch."""
    faculties = random.Random(profile.code).sample(FACULTIES, 3)
    committees: list[Tree] = []
    for number, faculty in enumerate(faculties, 1):
        code = f"{profile.code}-{number:02d}"
        committees.append(
            (
                code,
                "committee",
                f"{faculty}党委",
                [
                    (f"{code}-01", "branch", f"{faculty}教工党支部", []),
                    (f"{code}-02", "branch", f"{faculty}学生党支部", []),
                ],
            )
        )
    return (profile.code, "school", profile.name, committees)


def school_trees() -> list[Tree]:
    return [school_tree(p, i) for i, p in enumerate(PROFILES) if p.code != XINZHOU_CODE]


# Xinzhou's branches (demo.XINZHOU): staff branches first, students' after.
XINZHOU_BRANCHES = (
    ["SX-XZSY-JG-01", "SX-XZSY-JG-02", "SX-XZSY-ZW-01", "SX-XZSY-SJ-01", "SX-XZSY-JY-01"],
    ["SX-XZSY-ZW-02", "SX-XZSY-ZW-03", "SX-XZSY-SJ-02", "SX-XZSY-JY-02"],
)


def branches_of(profile: Profile) -> tuple[list[str], list[str]]:
    """The school's (staff branches, student branches)."""
    if profile.code == XINZHOU_CODE:
        return XINZHOU_BRANCHES
    committees = [f"{profile.code}-{n:02d}" for n in (1, 2, 3)]
    return [f"{c}-01" for c in committees], [f"{c}-02" for c in committees]


def idle_branch(profile: Profile) -> str | None:
    return f"{profile.code}-03-02" if profile.idle else None


def roster_codes(profile: Profile) -> list[str]:
    """The school's long-standing full members (contacts and introducers): four per school."""
    return [f"{profile.code.removeprefix('SX-')}-{n:04d}" for n in range(9001, 9005)]


def _spread(count: int, starts: date, ends: date, power: float) -> list[date]:
    """``count`` dates over [starts, ends], bent by ``power`` (the share passed by ``t`` of
    the span is ``t ** (1 / power)``)."""
    span = (ends - starts).days
    return [
        starts + timedelta(days=round(span * ((i + 0.5) / count) ** power)) for i in range(count)
    ]


def walks_of(profile: Profile, today: date, first_sequence: int) -> list[Walk]:
    """Every recruit of the school, dated from ``today`` (deterministic for a given day)."""
    rng = random.Random(f"{profile.code}:{today.isoformat()}")
    people = People(rng, profile.region, first_sequence)
    staff_branches, student_branches = branches_of(profile)
    idle = idle_branch(profile)
    admitting = [b for b in student_branches if b != idle]
    year, last = today.year, today.year - 1
    members = roster_codes(profile)
    walks: list[Walk] = []

    def add(admission: date, variant: str = ON_TIME, branch: str | None = None) -> None:
        staff = rng.random() < 0.2 if branch is None else branch in staff_branches
        if branch is None:
            branch = rng.choice(staff_branches if staff else admitting)
        meeting = admission - timedelta(days=120 if variant == LATE_APPROVAL else 20)
        pair = rng.sample(members, 2)
        document = f"{profile.name.removeprefix('中共').removesuffix('委员会')}党委〔{admission.year}〕{rng.randint(10, 99)}号"
        applied, steps = walk_steps(meeting, variant, pair[:1] + pair[1:], pair, document)
        person = people.person(applied, staff=staff, phone=rng.random() > 0.04)
        walks.append(Walk(branch, person, applied, steps, admission))

    a23, a_last, a_now = profile.admitted
    if profile.code != XINZHOU_CODE:  # 忻州师院's 2023 stays the original demo's
        for day in _spread(a23, date(2023, 3, 1), date(2023, 11, 30), 1.0):
            add(day)
    if last > 2023:
        late = min(a_last - 2, 4) if profile.rushed else 0
        for day in _spread(a_last - late, date(last, 1, 10), date(last, 11, 20), 1.0):
            add(day, LATE_TALK if rng.random() < 0.15 else ON_TIME)
        for day in _spread(late, date(last, 12, 8), date(last, 12, 28), 1.0):
            add(day)
    # This year's plan: approvals spread over the year, those after today still ahead.
    days = _spread(a_now, date(year, 1, 15), date(year, 12, 20), 1.0 / profile.pace)
    for i, day in enumerate(days):
        variant = (LATE_APPROVAL, LATE_OATH)[i] if i < 2 and day <= today else ON_TIME
        add(day, variant, admitting[0] if profile.over_plan and i < 3 else None)
    # Cases the supervisors follow up, and one cancellation per school.
    add(today - timedelta(days=40), NO_OATH)
    add(today - timedelta(days=320), CANCELLED)
    if profile.pace != 1.0 or profile.over_plan:
        add(today - timedelta(days=480), NO_CONVERSION)
    # The pipeline beyond this year's plan: development targets, activists, applicants.
    year_end = date(year, 12, 31)
    for low, high, count in (
        (max(today, year_end) + timedelta(days=5), today + timedelta(days=150), 2),
        (max(today + timedelta(days=170), year_end), today + timedelta(days=530), 5),
        (today + timedelta(days=550), today + timedelta(days=630), 3),
    ):
        for day in _spread(count, low, high, 1.0):
            add(day, LATE_TALK if rng.random() < 0.1 else ON_TIME)
    if idle:
        for day in _spread(3, today + timedelta(days=200), today + timedelta(days=500), 1.0):
            add(day, branch=idle)
    if profile.pace != 1.0 or profile.rushed:  # an application nobody has answered
        add(today + timedelta(days=620 - 45), NO_TALK)
    return walks


def recorded(walk: Walk, today: date) -> list[tuple[str, date, dict[str, Any]]]:
    """The steps of the walk that have taken place by ``today``."""
    return [s for s in walk.steps if s[1] <= today]


def planned(walks: list[Walk], starts: date, ends: date) -> Counter[str]:
    """Admissions (recorded or ahead) per branch within [starts, ends]."""
    return Counter(
        w.branch for w in walks if w.admitted_on is not None and starts <= w.admitted_on <= ends
    )


def province_walks(today: date) -> dict[str, list[Walk]]:
    """Every school's walks; ID numbers unique across the demo by a shared sequence."""
    result: dict[str, list[Walk]] = {}
    for index, profile in enumerate(PROFILES):
        result[profile.code] = walks_of(profile, today, 100 + 60 * index)
    return result


def _amounts(branch_counts: Counter[str], staff: set[str]) -> Amounts:
    total = sum(branch_counts.values())
    staff_n = sum(n for b, n in branch_counts.items() if b in staff)
    return Amounts(total, students=total - staff_n, staff=staff_n)


async def seed_plans(
    conn: AsyncConnection, admin: Session, ids: dict[str, int], today: date
) -> None:
    """This year's period (issued, subdivided to committees and branches, a reserve kept) and
    last year's (issued the same way; closed by ``finish`` once its admissions are recorded)."""
    walks = province_walks(today)
    commission = ids["SX-JGW"]
    for year in (today.year - 1, today.year):
        if year <= 2023:  # 2023 is the original demo's period
            continue
        period = await periods.create_period(
            admin,
            commission_id=commission,
            name=f"{year} 年度",
            kind="calendar_year",
            starts_on=date(year, 1, 1),
            ends_on=date(year, 12, 31),
            report_due_on=date(year + 1, 1, 31),
        )
        plans: dict[str, tuple[Counter[str], set[str]]] = {}
        for profile in PROFILES:
            counts = planned(walks[profile.code], date(year, 1, 1), date(year, 12, 31))
            plans[profile.code] = (counts, set(branches_of(profile)[0]))
            total = sum(counts.values())
            staff_n = sum(n for b, n in counts.items() if b in plans[profile.code][1])
            await quotas.issue(
                admin,
                period_id=period.id,
                school_id=ids[profile.code],
                amounts=Amounts(total + 2, students=total - staff_n, staff=staff_n + 1),
                document_no=f"晋教工委组〔{year}〕{11 + year % 7}号",
                document_date=date(year, 3, 20),
                targets=[],
            )
        await periods.change_state(admin, period_id=period.id, state="issued")
        for profile in PROFILES:
            counts, staff = plans[profile.code]
            await quotas.set_reserve(
                admin,
                period_id=period.id,
                unit_id=ids[profile.code],
                reserve=Amounts(1, staff=1),
                reason="学校党委统筹教师名额",
            )
            if year == today.year and profile.over_plan:
                branch = branches_of(profile)[1][0]
                admitted = sum(
                    1
                    for w in walks[profile.code]
                    if w.branch == branch
                    and w.admitted_on is not None
                    and date(year, 1, 1) <= w.admitted_on <= today
                )
                # Allocated one place fewer than it has admitted: over its plan.
                counts = Counter({**counts, branch: max(1, admitted - 1)})
            by_parent: dict[str, Counter[str]] = {}
            for branch, n in counts.items():
                by_parent.setdefault(branch.rsplit("-", 1)[0], Counter())[branch] = n
            for committee, branches in sorted(by_parent.items()):
                await quotas.allocate(
                    admin,
                    period_id=period.id,
                    from_unit_id=ids[profile.code],
                    to_unit_id=ids[committee],
                    amounts=_amounts(branches, staff),
                    targets=[],
                )
                for branch, n in sorted(branches.items()):
                    await quotas.allocate(
                        admin,
                        period_id=period.id,
                        from_unit_id=ids[committee],
                        to_unit_id=ids[branch],
                        amounts=_amounts(Counter({branch: n}), staff),
                        targets=[],
                    )


async def seed_recruits(
    admin: Session, cipher: PiiCipher, ids: dict[str, int], today: date
) -> None:
    """Each school's roster, then its recruits, each step through ``record_step``."""
    walks = province_walks(today)
    for index, profile in enumerate(PROFILES):
        staff_branch = branches_of(profile)[0][0]
        rows = [
            members_service.MemberRow(
                code=code,
                name=ROSTER_NAMES[(index + n) % len(ROSTER_NAMES)],
                branch_id=ids[staff_branch],
                joined_on=date(1996 + n, 6, 28),
                full_on=date(1997 + n, 7, 1),
            )
            for n, code in enumerate(roster_codes(profile))
        ]
        await members_service.import_members(
            admin, school_id=ids[profile.code], rows=rows, source="manual", today=today
        )
        for walk in walks[profile.code]:
            p = walk.person
            recruit = await recruit_service.create_recruit(
                admin,
                cipher,
                TIMEZONE,
                branch_id=ids[walk.branch],
                person=recruit_service.Person(**p),
                application_date=walk.applied,
            )
            for code, on, data in recorded(walk, today):
                await recruit_service.record_step(
                    admin, TIMEZONE, recruit_id=recruit.id, step_code=code, on=on, data=data
                )


async def finish(admin: Session, ids: dict[str, int], today: date) -> None:
    """Last year's execution reports (all but the schools shaped to be late) and 2023's for the
    schools the original demo had no plan for, then last year's period closed."""
    rows = await periods.list_periods(admin, None)
    by_name = {r.name: r for r in rows if r.commission_id == ids["SX-JGW"]}
    last = by_name.get(f"{today.year - 1} 年度")
    if last is None or last.state != "issued":
        return
    for profile in PROFILES:
        if profile.report:
            await reports.submit(
                admin,
                period_id=last.id,
                unit_id=ids[profile.code],
                narrative=f"{profile.name.removeprefix('中共')}{today.year - 1}年度发展党员工作执行情况",
                timezone=TIMEZONE,
            )
        if profile.code != XINZHOU_CODE and "2023 年度" in by_name:
            await reports.submit(
                admin,
                period_id=by_name["2023 年度"].id,
                unit_id=ids[profile.code],
                narrative=None,
                timezone=TIMEZONE,
            )
    await periods.change_state(admin, period_id=last.id, state="closed")


TIMEZONE = "Asia/Shanghai"
