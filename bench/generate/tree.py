"""The unit tree: commissions → schools → committees (党委/党总支, sometimes two levels) →
branches, with Chinese names and realistic variation in size.

Invariants (the loader bypasses the ``units_derive`` trigger, so they are ours to keep; the
test compares them with what the trigger would derive):

* ids are assigned depth-first (commissions first, then each school followed by its
  subtree), so a school's units are contiguous; ``path`` is the parent's path plus the id;
  ``school_id`` is the school (itself for a school, NULL for a commission); ``region_code`` is
  the commission's GB/T 2260 code on every unit below it;
* every branch has a role that decides who its recruits are (undergraduates, teachers, …), a
  recruit count (the counts add up to the scale's exact total) and a roster size;
* every school has at least one committee and two branches that take recruits.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import date, timedelta
from random import Random

from . import unitnames as un
from .regions import COUNTY_INDEX, Province, provinces_for
from .scale import Scale, rng_for

# How many recruits a branch of each role holds, relatively (retired members recruit nobody).
_TIER_ORDER = {"university": 0, "college": 1, "vocational": 2}
ROLE_WEIGHTS = {
    "undergraduate": 1.0,
    "postgraduate": 0.6,
    "students": 0.9,
    "teachers": 0.1,
    "office": 0.06,
    "retired": 0.0,
}


@dataclass(slots=True)
class Unit:
    id: int
    kind: str  # commission | school | committee | branch
    name: str
    code: str
    parent_id: int | None
    path: str
    school_id: int | None
    region_code: str
    created_on: date
    role: str = (
        ""  # branches: undergraduate | postgraduate | students | teachers | office | retired
    )
    recruits: int = 0
    members: int = 0


@dataclass(slots=True)
class School:
    index: int  # 0-based, platform-wide
    unit: Unit
    province: Province
    home: tuple[int, ...]  # county indexes of the school's city (its local recruits)
    women_share: float
    units: list[Unit] = field(default_factory=list)  # its subtree below the school, DFS order
    recruit_id_base: int = 0  # its recruits get ids base+1 … base+n
    member_id_base: int = 0

    @property
    def branches(self) -> list[Unit]:
        return [u for u in self.units if u.kind == "branch"]

    @property
    def recruits(self) -> int:
        return sum(u.recruits for u in self.units)


@dataclass
class Tree:
    commissions: list[Unit]
    schools: list[School]

    def all_units(self) -> list[Unit]:
        """Every unit in id order (parents before children)."""
        found = list(self.commissions)
        for school in self.schools:
            found.append(school.unit)
            found.extend(school.units)
        return found


class _Builder:
    def __init__(self, rng: Random) -> None:
        self.rng = rng
        self.next_id = 0
        self.taken_names: set[str] = set()

    def unit(
        self, kind: str, name: str, parent: Unit | None, code: str, since: date, role: str = ""
    ) -> Unit:
        self.next_id += 1
        uid = self.next_id
        if parent is None:
            return Unit(uid, kind, name, code, None, str(uid), None, "", since, role)
        school_id = uid if kind == "school" else parent.school_id
        return Unit(
            uid,
            kind,
            name,
            code,
            parent.id,
            f"{parent.path}.{uid}",
            school_id,
            parent.region_code,
            since,
            role,
        )

    def day_in(self, first_year: int, last_year: int) -> date:
        start = date(first_year, 1, 1)
        return start + timedelta(days=self.rng.randrange((date(last_year, 12, 31) - start).days))

    def school_name(self, province: Province, tier: str) -> tuple[str, str]:
        """A unique school name and the city it is in."""
        rng = self.rng
        cities = [city for city, _ in province.cities]
        types = un.SCHOOL_TYPES[tier]
        for _ in range(40):
            place = rng.choice([province.short, *cities])
            qualifier = rng.choice(un.SCHOOL_QUALIFIERS) if rng.random() < 0.25 else ""
            name = f"{place}{qualifier}{rng.choice(types)}"
            if name not in self.taken_names:
                self.taken_names.add(name)
                return name, place if place in cities else cities[0]
        name = f"{province.short}第{len(self.taken_names) + 1}{types[0]}"  # crowded: number it
        self.taken_names.add(name)
        return name, cities[0]


def _split(total: int, weights: list[float]) -> list[int]:
    """``total`` shared in proportion to ``weights`` (largest remainder): the parts add up."""
    scale = sum(weights)
    if total <= 0 or scale <= 0:
        return [0] * len(weights)
    raw = [total * w / scale for w in weights]
    parts = [math.floor(r) for r in raw]
    for i in sorted(range(len(raw)), key=lambda i: parts[i] - raw[i])[: total - sum(parts)]:
        parts[i] += 1
    return parts


def _branches(b: _Builder, school: School, parent: Unit, owner: str, roles: list[str]) -> None:
    counts = {role: roles.count(role) for role in roles}
    seen: dict[str, int] = {}
    for role in roles:
        seen[role] = seen.get(role, 0) + 1
        name = un.branch_name(owner, role, seen[role], counts[role])
        code = f"{parent.code}-{len(school.units) + 1:03d}"
        school.units.append(b.unit("branch", name, parent, code, b.day_in(2008, 2019), role))


def _academic(b: _Builder, school: School, name: str, branches: int, tier: str) -> None:
    rng = b.rng
    kind_name = "党委" if branches >= 6 else "党总支"
    code = f"{school.unit.code}-{len(school.units) + 1:03d}"
    committee = b.unit("committee", name + kind_name, school.unit, code, b.day_in(2005, 2015))
    school.units.append(committee)
    teachers = max(1, round(branches * 0.22))
    retired = 1 if branches >= 8 and rng.random() < 0.5 else 0
    students = max(1, branches - teachers - retired)
    postgraduates = round(students * 0.3) if tier == "university" and students >= 3 else 0
    undergraduate = "undergraduate" if tier != "vocational" else "students"
    student_roles = [undergraduate] * (students - postgraduates) + ["postgraduate"] * postgraduates
    staff_roles = ["teachers"] * teachers + ["retired"] * retired
    if branches >= 12 and rng.random() < 0.5:  # a big college groups its branches in 党总支
        for label, roles in (("学生", student_roles), ("教工", staff_roles)):
            code = f"{committee.code}-{len(school.units) + 1:03d}"
            general = b.unit(
                "committee", f"{name}{label}党总支", committee, code, b.day_in(2008, 2016)
            )
            school.units.append(general)
            _branches(b, school, general, name, roles)
    else:
        _branches(b, school, committee, name, student_roles + staff_roles)


def _service(b: _Builder, school: School, name: str, offices: list[str]) -> None:
    code = f"{school.unit.code}-{len(school.units) + 1:03d}"
    committee = b.unit("committee", name, school.unit, code, b.day_in(2005, 2015))
    school.units.append(committee)
    for office in offices:
        code = f"{committee.code}-{len(school.units) + 1:03d}"
        school.units.append(
            b.unit("branch", f"{office}党支部", committee, code, b.day_in(2008, 2019), "office")
        )


def _subtree(b: _Builder, school: School, size: int, tier: str) -> None:
    """About ``size`` units below the school."""
    rng = b.rng
    direct = 0 if size < 20 else rng.randint(1, min(3, len(un.DIRECT_BRANCHES)))
    rest = size - direct
    committees = max(2, round(max(rest, 1) ** 0.65 / 1.3))
    offices = 1 if committees < 8 else 2
    academic = max(1, committees - offices)
    branches = max(academic + offices + 1, rest - committees)
    shares = _split(branches, [rng.uniform(0.6, 1.4) for _ in range(academic + offices)])
    pool = un.COLLEGES if tier != "vocational" else un.DEPARTMENTS
    names = rng.sample(pool, min(academic, len(pool)))
    names += [f"{pool[i % len(pool)]}（{i // len(pool) + 1}）" for i in range(len(names), academic)]
    for name, count in zip(names, shares[:academic], strict=True):
        _academic(b, school, name, max(1, count), tier)
    office_count = max(1, shares[academic])
    office_names = list(un.OFFICES[:office_count]) + [
        f"机关第{un.numeral(i + 1)}" for i in range(max(0, office_count - len(un.OFFICES)))
    ]
    _service(b, school, "机关党委", office_names)
    if offices > 1:
        services = max(1, shares[academic + 1])
        _service(
            b,
            school,
            "后勤党委",
            list(un.SERVICES[:services])
            + [f"后勤第{un.numeral(i + 1)}" for i in range(max(0, services - len(un.SERVICES)))],
        )
    # Branches directly under the school come last: the school's first branch (by id) is a
    # college's students' branch, which the benchmark's branch account is bound to.
    for name in rng.sample(un.DIRECT_BRANCHES, direct):
        code = f"{school.unit.code}-{len(school.units) + 1:03d}"
        school.units.append(
            b.unit("branch", name, school.unit, code, b.day_in(2008, 2019), "office")
        )


def build_tree(scale: Scale, seed: int) -> Tree:
    rng = rng_for(seed, "tree")
    b = _Builder(rng)
    provinces = provinces_for(scale.commissions)
    commissions = []
    for province in provinces:
        unit = b.unit(
            "commission", province.commission_name, None, f"JGW-{province.code}", date(2000, 1, 1)
        )
        unit.region_code = province.code
        commissions.append(unit)
    per_province = _split(scale.schools - len(provinces), [p.schools for p in provinces])
    weights = [rng.lognormvariate(0, 0.8) for _ in range(scale.schools)]
    ranked = sorted(range(scale.schools), key=lambda i: -weights[i])
    tiers = {
        i: "university"
        if r < scale.schools * 0.12
        else "college"
        if r < scale.schools * 0.45
        else "vocational"
        for r, i in enumerate(ranked)
    }
    budget = scale.units - len(provinces) - scale.schools
    sizes = [max(6, s) for s in _split(budget, weights)]
    schools: list[School] = []
    first = 0
    for commission, province, extra in zip(commissions, provinces, per_province, strict=True):
        # A commission lists its universities first (the benchmark's school account is bound
        # to the first school: a university, not the smallest college).
        draws = sorted(range(first, first + 1 + extra), key=lambda j: _TIER_ORDER[tiers[j]])
        first += 1 + extra
        for j in draws:
            index = len(schools)
            name, city = b.school_name(province, tiers[j])
            code = f"S{province.code}{index + 1:05d}"
            unit = b.unit("school", f"中共{name}委员会", commission, code, b.day_in(1990, 2010))
            home = tuple(COUNTY_INDEX[c] for c in dict(province.cities)[city])
            school = School(index, unit, province, home, un.women_share(name))
            _subtree(b, school, sizes[j], tiers[j])
            schools.append(school)
    _people(rng, scale, schools)
    return Tree(commissions, schools)


def _people(rng: Random, scale: Scale, schools: list[School]) -> None:
    """Recruits per branch (exact total) and roster sizes; id bases per school."""
    branches = [(s, u) for s in schools for u in s.branches]
    appeal = {s.index: rng.uniform(0.7, 1.3) for s in schools}
    weights = [ROLE_WEIGHTS[u.role] * appeal[s.index] * rng.uniform(0.5, 1.5) for s, u in branches]
    for (_, unit), count in zip(branches, _split(scale.recruits, weights), strict=True):
        unit.recruits = count
    low, high = scale.members_per_branch
    recruit_base = member_base = 0
    for school in schools:
        school.recruit_id_base, school.member_id_base = recruit_base, member_base
        for unit in school.branches:
            unit.members = rng.randint(low, high)
            member_base += unit.members
        recruit_base += school.recruits
