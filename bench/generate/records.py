"""One school's rows: its roster, its recruits with their steps, findings and talent filings.

:func:`generate_school` is pure (seeded by the run's seed and the school's index), so schools
may be generated in any order or in other processes. Its rows leave out the ID-number columns:
the loader allocates ID numbers lane by lane (stream.py, people.IdNumbers) and seals the PII.

Ids are fixed in advance, so that they are the same however the schools are spread over
processes and connections: recruits and members count from the school's bases (tree.py); a
recruit's steps are numbered ``id × STEP_BLOCK + k`` in the service's order (date, then
procedure), its findings ``id × FINDING_BLOCK + k``, its talent filing (at most one) takes the
recruit's id. These ids leave gaps, as ids do.

A recruit's derived columns come from ``derivation.Deriver`` over the very steps written, and
its findings rows are the derivation's: ``open_findings`` is their count.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, timezone
from functools import lru_cache
from random import Random
from typing import Any

from partyplan.resolvers.recruits.rules.filing_levels import FilingLevel, filing_level
from partyplan.resolvers.recruits.rules.steps import RecordedStep

from .derivation import Deriver, RuleSets
from .holidays import calendar_rows, working_calendar
from .people import PeopleFactory, Person
from .procedure import timeline
from .roster import branch_roster
from .scale import Scale, rng_for
from .tree import School, Unit

CST = timezone(timedelta(hours=8))  # procedure dates are China Standard Time (docs/domain.md)
# Who a branch's recruits are, by the branch's role: (category, weight).
CATEGORIES = {
    "undergraduate": (("undergraduate", 0.98), ("other", 0.02)),
    "students": (("undergraduate", 0.98), ("other", 0.02)),
    "postgraduate": (("postgraduate", 1.0),),
    "teachers": (("teacher", 0.85), ("other_staff", 0.15)),
    "office": (("other_staff", 0.7), ("teacher", 0.3)),
}
# Applications by month (students apply on arrival in the autumn, and in the spring term).
MONTH_WEIGHTS = (0.5, 0.3, 1.0, 1.0, 0.9, 0.6, 0.2, 0.2, 2.0, 2.2, 1.5, 0.8)
FILING_STATUS = (("acknowledged", 0.8), ("filed", 0.1), ("returned", 0.1))
STEP_BLOCK = 64  # a recruit has at most ~40 steps (26 once, cultivations, assessments)
FINDING_BLOCK = 8  # at most one per time-limited step (4 of them)


@dataclass
class SchoolBatch:
    school_index: int
    # load.RECRUIT_COLUMNS without the five PII columns (stream.py seals and inserts them)
    recruits: list[tuple[Any, ...]] = field(default_factory=list)
    identities: list[tuple[int, date, str, str | None]] = field(default_factory=list)
    steps: list[tuple[Any, ...]] = field(default_factory=list)
    findings: list[tuple[Any, ...]] = field(default_factory=list)
    filings: list[tuple[Any, ...]] = field(default_factory=list)
    members: list[tuple[Any, ...]] = field(default_factory=list)
    # Admissions counted against the quota: (year, unit under the school) → total, students,
    # staff, high-knowledge.
    admissions: dict[tuple[int, int], list[int]] = field(default_factory=dict)


@lru_cache(maxsize=4)
def _calendar(first: int, last: int) -> Any:
    return working_calendar(calendar_rows(range(first, last + 1)))


def _application_date(rng: Random, first: date, last: date, seasonal: bool) -> date:
    span = (last - first).days
    while True:
        day = first + timedelta(days=rng.randrange(span + 1))
        if not seasonal or rng.random() * 2.2 < MONTH_WEIGHTS[day.month - 1]:
            return day


def _moment(day: date, rng: Random) -> datetime:
    """When a step of that day was entered: office hours, China Standard Time."""
    return datetime.combine(day, time(8 + rng.randrange(9), rng.randrange(60)), CST)


_ENCODER = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"))  # one, not one per call


def _json(data: dict[str, Any]) -> str:
    return _ENCODER.encode(data) if data else "{}"


def generate_school(
    school: School, scale: Scale, seed: int, *, validate: bool = False
) -> SchoolBatch:
    """The school's rows; ``validate``: judge every step of every recruit, not a sample."""
    rng = rng_for(seed, "school", school.index)
    people = PeopleFactory(rng, school.province.code, school.home)
    rules = RuleSets(school.unit.region_code, str(school.unit.id))
    deriver = Deriver(rules, _calendar(scale.first_application.year, scale.as_of.year))
    batch = SchoolBatch(school.index)
    next_recruit, next_member = school.recruit_id_base, school.member_id_base
    number = 0
    for branch in school.branches:
        roster = branch_roster(
            rng,
            people,
            school_id=school.unit.id,
            first_number=number + 1,
            size=branch.members,
            role=branch.role,
            as_of=scale.as_of,
        )
        number += len(roster)
        for member in roster:
            next_member += 1
            batch.members.append(
                (
                    next_member,
                    school.unit.id,
                    branch.id,
                    branch.path,
                    member.code,
                    member.name,
                    member.joined_on,
                    member.full_on,
                    member.left_on,
                    "12371",
                )
            )
        under_school = int(branch.path.split(".")[2])
        for _ in range(branch.recruits):
            next_recruit += 1
            _recruit(
                rng,
                people,
                deriver,
                scale,
                school,
                branch,
                roster,
                next_recruit,
                under_school,
                batch,
                validate,
            )
    return batch


def _recruit(
    rng: Random,
    people: PeopleFactory,
    deriver: Deriver,
    scale: Scale,
    school: School,
    branch: Unit,
    roster: list[Any],
    recruit_id: int,
    under_school: int,
    batch: SchoolBatch,
    validate: bool,
) -> None:
    categories = CATEGORIES[branch.role]
    category = rng.choices([c for c, _ in categories], [w for _, w in categories])[0]
    students = category in ("undergraduate", "postgraduate")
    applied = _application_date(rng, scale.first_application, scale.as_of, students)
    person = people.person(category, applied, school.women_share)
    events = timeline(rng, applied=applied, category=category, roster=roster, as_of=scale.as_of)
    history = [RecordedStep(code, on, data) for code, on, data in events]
    # Every step of a fixed sample is judged in full (a refused one raises: a generator bug).
    derived = deriver.derive(history, person.birth_date, validate=validate or recruit_id % 50 == 0)
    sid, path = school.unit.id, branch.path
    if len(events) > STEP_BLOCK or len(derived.findings) > FINDING_BLOCK:
        raise AssertionError(f"recruit {recruit_id} outgrew its id block")
    first = recruit_id * STEP_BLOCK
    versions = deriver.versions(history)
    for k, ((code, on, data), version) in enumerate(zip(events, versions, strict=True)):
        batch.steps.append((first + k, recruit_id, sid, path, code, on, _json(data), version))
    first = recruit_id * FINDING_BLOCK
    for k, f in enumerate(derived.findings):
        batch.findings.append(
            (
                first + k,
                recruit_id,
                sid,
                path,
                f["rule_id"],
                f["rule_version"],
                f["article"],
                f["severity"],
                f["step_code"],
                f["message"],
                f["due_on"],
                f["days_late"],
            )
        )
    milestones = derived.milestones
    level = filing_level(school.unit.region_code)
    exempt = _filing(rng, person, milestones, recruit_id, sid, path, scale.as_of, level, batch)
    approved = milestones["approved_on"]
    if approved is not None and not exempt:
        key = (approved.year, under_school)
        counts = batch.admissions.setdefault(key, [0, 0, 0, 0])
        counts[0] += 1
        counts[1] += students
        counts[2] += category in ("teacher", "other_staff")
        counts[3] += person.high_knowledge
    code_12371 = None
    if milestones["activist_on"] is not None and rng.random() < 0.8:
        code_12371 = f"{school.province.code}{recruit_id:012d}"
    batch.identities.append((person.county, person.birth_date, person.gender, person.phone))
    batch.recruits.append(
        (
            recruit_id,
            sid,
            branch.id,
            path,
            person.name,
            person.gender,
            person.ethnicity,
            person.birth_date,
            person.category,
            person.education,
            person.professional_title,
            person.high_knowledge,
            person.talent_programme,
            code_12371,
            derived.stage,
            derived.stage_since,
            derived.next_step,
            derived.next_due_on,
            len(derived.findings),
            approved,
            exempt,
            milestones["applied_on"],
            milestones["activist_on"],
            milestones["target_on"],
            milestones["converted_on"],
            milestones["cancelled_on"],
            derived.admission["admission_earliest_on"],
            derived.admission["admission_possible_until"],
            derived.admission["admission_steps_left"],
            _moment(applied, rng),
        )
    )


def _filing(
    rng: Random,
    person: Person,
    milestones: dict[str, date | None],
    recruit_id: int,
    school_id: int,
    path: str,
    as_of: date,
    level: FilingLevel,
    batch: SchoolBatch,
) -> bool:
    """A high-level talent is filed (where the region's filing level says) once named a
    development target; an acknowledged filing exempts the admission from the quota. Returns
    the exemption."""
    target = milestones["target_on"]
    if person.talent_programme is None or target is None:
        return False
    filed_on = target + timedelta(days=rng.randint(10, 60))
    if filed_on > as_of:
        return False
    status = rng.choices([s for s, _ in FILING_STATUS], [w for _, w in FILING_STATUS])[0]
    reviewed = (
        None if status == "filed" else _moment(filed_on + timedelta(days=rng.randint(5, 20)), rng)
    )
    if reviewed is not None and reviewed.date() > as_of:
        status, reviewed = "filed", None
    reason = "人才项目层级不符合备案条件" if status == "returned" else None
    batch.filings.append(
        (
            recruit_id,
            recruit_id,
            school_id,
            path,
            person.talent_programme,
            f"入选{person.talent_programme}（{filed_on.year - 1}年）",
            status,
            reason,
            reviewed,
            _moment(filed_on, rng),
            level.level,
            list(level.destinations),
        )
    )
    return status == "acknowledged"
