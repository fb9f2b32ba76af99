"""The members (党员名册) of each branch: who introduces, cultivates and votes on recruits.

Invariants:

* codes are ``M<school id>-<n>``, n counting within the school: unique per school (the table's
  constraint) and platform-wide;
* every branch has a core of at least :data:`CORE` full members since before 2020 who never
  leave, so on any date of the data at least that many may introduce, cultivate and vote;
* ``joined_on`` ≤ ``full_on`` (one year later: the probation) ≤ ``left_on`` when set; nobody
  is full after ``as_of`` (a member still in probation then has no ``full_on``);
* :func:`eligible` is the roster check of the service (``recruits/service/roster.py``): a full member
  of the school on the step's date — joined, full and not yet left.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from random import Random

from partyplan.resolvers.recruits.rules.calendar import add_months

from .people import PeopleFactory

CORE = 8


@dataclass(frozen=True, slots=True)
class Member:
    code: str
    name: str
    joined_on: date
    full_on: date | None
    left_on: date | None


def eligible(roster: list[Member], on: date) -> list[Member]:
    """Full members of the branch on ``on``, in roster order."""
    return [
        m
        for m in roster
        if m.joined_on <= on
        and m.full_on is not None
        and m.full_on <= on
        and (m.left_on is None or m.left_on > on)
    ]


def _day(rng: Random, first: date, last: date) -> date:
    return first + timedelta(days=rng.randrange(max(1, (last - first).days)))


def branch_roster(
    rng: Random,
    people: PeopleFactory,
    *,
    school_id: int,
    first_number: int,
    size: int,
    role: str,
    as_of: date,
) -> list[Member]:
    """``size`` members; numbers ``first_number`` … (their codes) in order."""
    members = []
    core = max(CORE, size * 2 // 5)
    for i in range(size):
        gender = people.gender(0.5)
        name = people.name(gender, people.ethnicity())
        code = f"M{school_id}-{first_number + i}"
        if i < core or role == "retired":
            joined = _day(rng, date(1975 if role == "retired" else 1992, 1, 1), date(2018, 6, 30))
            members.append(Member(code, name, joined, add_months(joined, 12), None))
            continue
        # Students and recent staff: joined lately, some still probationary, some gone.
        joined = _day(rng, date(2017, 1, 1), as_of - timedelta(days=30))
        full = add_months(joined, 12)
        left = None
        if rng.random() < 0.3:
            left = _day(rng, joined + timedelta(days=400), joined + timedelta(days=1500))
            left = None if left > as_of else left
        members.append(Member(code, name, joined, full if full <= as_of else None, left))
    return members
