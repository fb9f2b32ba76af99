"""The roll-up tallies on random trees: every line equals an independent count of the recruits
beneath it, a unit's line equals its own recruits plus its children's lines, and the stored
tallies equal the ones recomputed from the recruits — after inserts, updates, transfers
between branches and schools (admitted recruits among them: their admissions stay where they
were approved, their pipeline follows them), a moved unit, a closed period and a new one."""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

import pytest
import sqlalchemy as sa
from support import gid

from partyplan.models.rollups import ADMISSION_FIGURES, PERIOD_FIGURES
from partyplan.resolvers.rollups.repository import drift
from partyplan.resolvers.units.repository import MOVE_STATEMENTS

ROLLUP = """query($u: ID!, $p: ID!) { rollup(unitId: $u, periodId: $p) {
  line { ...figures } children { unitId ...figures }
  months { month admitted admittedExempt converted structure { women } } } }
fragment figures on RollupLine { admitted admittedExempt openFindings
  structure { women ethnicMinority youth35 collegeEducated students staff highKnowledge
              professionalTechnical }
  pipeline { applicants activists developmentTargets probationary converted } }"""
GRAPHQL_NAMES = {
    "admitted": "admitted",
    "admitted_exempt": "admittedExempt",
    "open_findings": "openFindings",
    "women": "women",
    "ethnic_minority": "ethnicMinority",
    "youth_35": "youth35",
    "college_educated": "collegeEducated",
    "students": "students",
    "staff": "staff",
    "high_knowledge": "highKnowledge",
    "professional_technical": "professionalTechnical",
    "applicants": "applicants",
    "activists": "activists",
    "development_targets": "developmentTargets",
    "probationary": "probationary",
    "converted": "converted",
}
PERIODS = [(date(2023, 1, 1), date(2023, 12, 31)), (date(2024, 1, 1), date(2024, 6, 30))]
MILESTONES = ("applied_on", "activist_on", "target_on", "approved_on", "converted_on")


@dataclass
class Recruit:
    id: int
    branch: int
    gender: str
    ethnicity: str
    birth: date
    education: str
    category: str
    high_knowledge: bool
    title: str | None
    exempt: bool
    findings: int
    dates: dict[str, date | None] = field(default_factory=dict)
    admitted_at: int | None = None  # the branch it belonged to when its approval was written
    annulled: bool = False  # its admission annulled (一律不予承认): counts nowhere from then on

    def written(self) -> None:
        """What the database keeps of the admission's place after a write of the dates: set
        from the current branch when an approval appears, kept while one stays, none without."""
        if self.dates["approved_on"] is None:
            self.admitted_at = None
        elif self.admitted_at is None:
            self.admitted_at = self.branch


def flatten(line: dict[str, Any]) -> dict[str, int]:
    flat = {k: v for k, v in line.items() if isinstance(v, int)}
    for nested in ("structure", "pipeline"):
        flat.update(line[nested])
    return {name: flat[GRAPHQL_NAMES[name]] for name in PERIOD_FIGURES}


ADMISSIONS = frozenset(ADMISSION_FIGURES)


def place(r: Recruit, figure: str) -> int | None:
    """Where a figure counts: an admission's where it was approved, the rest where the recruit
    is now."""
    return r.admitted_at if figure in ADMISSIONS else r.branch


def contribution(r: Recruit, starts: date, ends: date) -> dict[str, int]:
    """The oracle: what one recruit adds to a period, written from the issue's definitions."""
    d = r.dates
    admitted = (
        d["approved_on"] is not None and starts <= d["approved_on"] <= ends and not r.annulled
    )
    age_limit = r.birth.replace(year=r.birth.year + 36)
    reached = [m for m in MILESTONES if d[m] is not None and d[m] <= ends]
    stage = reached[-1] if reached else None
    # An annulled admission: the recruit left the procedure on its approval date.
    void = r.annulled and d["approved_on"] is not None
    if void and d["approved_on"] <= ends:
        stage = "annulled"
    left = [x for x in (d["converted_on"], d["approved_on"] if void else None) if x is not None]
    member = d["applied_on"] <= ends and (not left or min(left) >= starts)
    return {
        "admitted": admitted and not r.exempt,
        "admitted_exempt": admitted and r.exempt,
        "women": admitted and r.gender == "female",
        "ethnic_minority": admitted and r.ethnicity != "汉族",
        "youth_35": admitted and d["approved_on"] < age_limit,
        "college_educated": admitted and r.education != "below_college",
        "students": admitted and r.category in ("undergraduate", "postgraduate"),
        "staff": admitted and r.category in ("teacher", "other_staff"),
        "high_knowledge": admitted and r.high_knowledge,
        "professional_technical": admitted and r.title is not None,
        "applicants": stage == "applied_on",
        "activists": stage == "activist_on",
        "development_targets": stage == "target_on",
        "probationary": stage == "approved_on",
        "converted": d["converted_on"] is not None
        and starts <= d["converted_on"] <= ends
        and not r.annulled,
        "open_findings": r.findings if member else 0,
    }


def random_dates(rng: random.Random) -> dict[str, date | None]:
    on = date(2022, 1, 1) + timedelta(days=rng.randrange(900))
    dates: dict[str, date | None] = {}
    for milestone in MILESTONES:
        if milestone != "applied_on" and (
            dates[MILESTONES[MILESTONES.index(milestone) - 1]] is None or rng.random() < 0.3
        ):
            dates[milestone] = None
            continue
        dates[milestone] = on
        on += timedelta(days=rng.randrange(20, 300))
    return dates


class Forest:
    """A random tree under each world school, recruits on random units, all written as the
    owner (the trigger does the counting)."""

    def __init__(self, conn: Any, world: Any, rng: random.Random) -> None:
        self.conn, self.world, self.rng = conn, world, rng
        self.parent: dict[int, int] = {}
        self.school: dict[int, int] = {}
        self.recruits: list[Recruit] = []

    async def grow(self) -> None:
        for school in ("A", "B"):
            school_id = self.world.units[school]
            self.school[school_id] = school_id
            frontier = [school_id]
            for _ in range(self.rng.randrange(2, 9)):
                parent = self.rng.choice(frontier)
                kind = "committee" if parent == school_id else "branch"
                unit = await self.conn.scalar(
                    sa.text(
                        "INSERT INTO units (kind, name, parent_id, path) VALUES (:k, :n, :p, '0')"
                        " RETURNING id"
                    ),
                    {"k": kind, "n": f"u{len(self.parent)}", "p": parent},
                )
                self.parent[unit], self.school[unit] = parent, school_id
                frontier.append(unit)

    def units(self) -> list[int]:
        return list(self.school)

    async def add_recruit(self) -> None:
        rng = self.rng
        dates = random_dates(rng)
        r = Recruit(
            id=0,
            branch=rng.choice([u for u in self.parent]),
            gender=rng.choice(["male", "female"]),
            ethnicity=rng.choice(["汉族", "汉族", "回族"]),
            birth=date(1980 + rng.randrange(25), rng.randrange(1, 13), rng.randrange(1, 29)),
            education=rng.choice(["below_college", "college", "bachelor", "doctorate"]),
            category=rng.choice(
                ["undergraduate", "postgraduate", "teacher", "other_staff", "other"]
            ),
            high_knowledge=rng.random() < 0.2,
            title=rng.choice([None, None, "讲师"]),
            exempt=rng.random() < 0.1,
            findings=rng.randrange(3),
            dates=dates,
        )
        r.written()
        r.id = await self.conn.scalar(
            sa.text(
                "INSERT INTO recruits (school_id, branch_id, unit_path, name, gender, ethnicity,"
                " birth_date, id_number_enc, id_number_hash, id_number_masked, category,"
                " education, professional_title, high_knowledge, stage, stage_since,"
                " open_findings, exempt, applied_on, activist_on, target_on, approved_on,"
                " converted_on)"
                " SELECT school_id, id, path, 'x', :gender, :ethnicity, :birth, '\\x00',"
                " decode(md5(random()::text), 'hex'), 'x', :category, :education, :title, :hk,"
                " 'applicant', :applied_on, :findings, :exempt, :applied_on, :activist_on,"
                " :target_on, :approved_on, :converted_on FROM units WHERE id = :branch"
                " RETURNING id"
            ),
            {
                "gender": r.gender,
                "ethnicity": r.ethnicity,
                "birth": r.birth,
                "category": r.category,
                "education": r.education,
                "title": r.title,
                "hk": r.high_knowledge,
                "findings": r.findings,
                "exempt": r.exempt,
                "branch": r.branch,
                **dates,
            },
        )
        self.recruits.append(r)

    async def change_recruit(self) -> None:
        """A later step, a correction, an exemption or a transfer (to any branch of either
        school): the trigger's update path."""
        r = self.rng.choice(self.recruits)
        choice = self.rng.randrange(3)
        if choice == 0:
            r.dates = random_dates(self.rng)
            r.findings = self.rng.randrange(3)
        elif choice == 1:
            r.exempt = not r.exempt
        else:
            r.branch = self.rng.choice(list(self.parent))
        r.written()
        await self.conn.execute(
            sa.text(
                "UPDATE recruits r SET branch_id = u.id, unit_path = u.path, school_id = u.school_id,"
                " exempt = :exempt, open_findings = :findings, applied_on = :applied_on,"
                " activist_on = :activist_on, target_on = :target_on,"
                " approved_on = :approved_on, converted_on = :converted_on"
                " FROM units u WHERE u.id = :branch AND r.id = :id"
            ),
            {"id": r.id, "branch": r.branch, "exempt": r.exempt, "findings": r.findings, **r.dates},
        )

    async def transfer_admitted(self) -> None:
        """An admitted recruit moved to another branch of either school, the way
        ``transferRecruit`` writes it (its place and school only)."""
        admitted = [r for r in self.recruits if r.admitted_at is not None]
        if not admitted:
            return
        r = self.rng.choice(admitted)
        r.branch = self.rng.choice([u for u in self.parent if u != r.branch])
        await self.conn.execute(
            sa.text(
                "UPDATE recruits r SET branch_id = u.id, unit_path = u.path, school_id = u.school_id"
                " FROM units u WHERE u.id = :branch AND r.id = :id"
            ),
            {"id": r.id, "branch": r.branch},
        )

    async def annul(self) -> None:
        """An admitted recruit's admission annulled: the column the database sets when an
        annulment is recorded (trigger ``admission_annulments_apply``), never cleared."""
        admitted = [r for r in self.recruits if r.admitted_at is not None and not r.annulled]
        if not admitted:
            return
        r = self.rng.choice(admitted)
        r.annulled = True
        await self.conn.execute(
            sa.text("UPDATE recruits SET annulled_on = approved_on WHERE id = :id"), {"id": r.id}
        )

    async def move_unit(self) -> None:
        """Re-parent a unit inside its school (the way the units domain does it)."""
        movable = [u for u in self.parent if self.parent[u] != self.school[u]]
        if not movable:
            return
        unit = self.rng.choice(movable)
        below = {unit} | {u for u in self.parent if self._under(u, unit)}
        targets = [u for u in self.school if self.school[u] == self.school[unit] and u not in below]
        target = self.rng.choice(targets)
        old = await self.conn.scalar(
            sa.text("SELECT path::text FROM units WHERE id = :u"), {"u": unit}
        )
        new = await self.conn.scalar(
            sa.text("UPDATE units SET parent_id = :p WHERE id = :u RETURNING path::text"),
            {"p": target, "u": unit},
        )
        params = {"old": old, "new": new, "id": unit}
        for statement in MOVE_STATEMENTS:
            await self.conn.execute(statement, params)
        self.parent[unit] = target

    def _under(self, unit: int, ancestor: int) -> bool:
        while unit in self.parent:
            unit = self.parent[unit]
            if unit == ancestor:
                return True
        return False

    def months(self, starts: date, ends: date, beneath: set[int]) -> list[dict[str, Any]]:
        """The oracle's months: approvals where they were approved, conversions where the
        recruit is now, in every month of the period."""
        counts = {}
        on = starts
        while on <= ends:
            counts[on] = {"admitted": 0, "admittedExempt": 0, "converted": 0, "women": 0}
            on = (on.replace(day=28) + timedelta(days=4)).replace(day=1)
        for r in self.recruits:
            approved, converted = r.dates["approved_on"], r.dates["converted_on"]
            if r.annulled:
                continue  # neither its approval nor its conversion counts
            if approved is not None and starts <= approved <= ends and r.admitted_at in beneath:
                month = counts[approved.replace(day=1)]
                month["admittedExempt" if r.exempt else "admitted"] += 1
                month["women"] += r.gender == "female"
            if converted is not None and starts <= converted <= ends and r.branch in beneath:
                counts[converted.replace(day=1)]["converted"] += 1
        return [
            {
                "month": month.isoformat(),
                "admitted": c["admitted"],
                "admittedExempt": c["admittedExempt"],
                "converted": c["converted"],
                "structure": {"women": c["women"]},
            }
            for month, c in counts.items()
        ]

    def subtree(self, unit: int) -> set[int]:
        return {u for u in self.school if u == unit or self._under(u, unit)}


async def create_period(conn: Any, world: Any, starts: date, ends: date, state: str) -> int:
    return await conn.scalar(
        sa.text(
            "INSERT INTO plan_periods (commission_id, commission_path, name, kind, starts_on,"
            " ends_on, report_due_on, state) SELECT id, path, :n, 'custom', :s, :e, :e, :state"
            " FROM units WHERE id = :c RETURNING id"
        ),
        {
            "n": f"{starts}~{ends}",
            "s": starts,
            "e": ends,
            "state": state,
            "c": world.units["commission"],
        },
    )


@pytest.mark.parametrize("seed", range(6))
async def test_every_line_is_its_own_recruits_plus_its_children(
    seed, gql, world, owner_engine
) -> None:  # type: ignore[no-untyped-def]
    rng = random.Random(seed)
    async with owner_engine.begin() as conn:
        forest = Forest(conn, world, rng)
        await forest.grow()
        first = await create_period(conn, world, *PERIODS[0], "issued")
        for _ in range(rng.randrange(15, 40)):
            await forest.add_recruit()
        for _ in range(20):
            await forest.change_recruit()
        for _ in range(6):
            await forest.transfer_admitted()
            await forest.annul()
        await forest.move_unit()
        # A period created after the recruits is tallied from them at once.
        second = await create_period(conn, world, *PERIODS[1], "draft")
        for _ in range(10):
            await forest.change_recruit()
            await forest.transfer_admitted()
        await forest.annul()
        for period in (first, second):
            assert await drift(conn, period, str(world.units["commission"])) == []

    commission = world.units["commission"]
    for period, (starts, ends) in zip((first, second), PERIODS, strict=True):
        for unit in [commission, *forest.units()]:
            result = await gql(
                ROLLUP,
                {"u": gid("Unit", unit), "p": gid("PlanPeriod", period)},
                world.tokens["commission_admin"],
            )
            assert "errors" not in result, result
            rollup = result["data"]["rollup"]
            line = flatten(rollup["line"])
            beneath = forest.units() if unit == commission else forest.subtree(unit)
            expected = {f: 0 for f in PERIOD_FIGURES}
            own = dict(expected)
            for r in forest.recruits:
                for f, v in contribution(r, starts, ends).items():
                    if place(r, f) in beneath:
                        expected[f] += int(v)
                        own[f] += int(v) if place(r, f) == unit else 0
            assert line == expected, (unit, period)
            assert rollup["months"] == forest.months(starts, ends, beneath), (unit, period)
            summed = {
                f: own[f] + sum(flatten(c)[f] for c in rollup["children"]) for f in PERIOD_FIGURES
            }
            assert line == summed, (unit, period)


async def test_a_closed_period_is_frozen_and_an_open_one_follows(gql, world, owner_engine) -> None:  # type: ignore[no-untyped-def]
    rng = random.Random(99)
    async with owner_engine.begin() as conn:
        forest = Forest(conn, world, rng)
        await forest.grow()
        period = await create_period(conn, world, *PERIODS[0], "issued")
        for _ in range(10):
            await forest.add_recruit()
        before = (
            await conn.execute(
                sa.text("SELECT * FROM unit_tallies WHERE period_id = :p ORDER BY unit_id"),
                {"p": period},
            )
        ).all()
        await conn.execute(
            sa.text("UPDATE plan_periods SET state = 'closed' WHERE id = :p"), {"p": period}
        )
        for _ in range(10):
            await forest.change_recruit()
        after = (
            await conn.execute(
                sa.text("SELECT * FROM unit_tallies WHERE period_id = :p ORDER BY unit_id"),
                {"p": period},
            )
        ).all()
        assert after == before
