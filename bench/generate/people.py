"""People: names, ethnicities, birth dates, where they are registered, phones, and ID numbers.

Invariants (checked by tests/bench/test_generate.py with the project's own validators):

* an ID number passes ``identity.check_id_number`` (GB 11643 check character from
  ``identity.check_character``), and its birth date and gender digit are the person's;
* ID numbers are unique platform-wide (``recruits.id_number_hash`` is UNIQUE): the sequence code
  (digits 15–17) is allocated from a counter per (county, birth date, gender) by
  :class:`IdNumbers`, one per lane of schools, each lane loaded school by school in one process,
  so the numbers do not depend on how many processes load them;
* an ethnicity is one of the 56 official names (namedata checks its table on import);
* everyone is at least 18 on the date their application is dated.
"""

from __future__ import annotations

import itertools
from array import array
from dataclasses import dataclass
from datetime import date, timedelta
from random import Random

from partyplan.resolvers.recruits.rules.identity import check_character, turns_age_on

from . import namedata as nd
from .regions import COUNTIES, ETHNIC_HOMES, PROVINCE_COUNTIES


@dataclass(slots=True)
class Person:
    name: str
    gender: str  # male | female
    ethnicity: str
    birth_date: date
    county: int  # index into regions.COUNTIES: the first six digits of the ID number
    phone: str | None
    category: str  # undergraduate | postgraduate | teacher | other_staff | other
    education: str  # below_college | college | bachelor | master | doctorate
    professional_title: str | None = None
    high_knowledge: bool = False  # 高知群体: senior title or doctorate
    talent_programme: str | None = None


def _cumulative(pairs: tuple[tuple[str, float], ...]) -> tuple[list[str], list[float]]:
    return [name for name, _ in pairs], list(itertools.accumulate(w for _, w in pairs))


_SURNAMES = _cumulative(nd.SURNAMES)
_ETHNICITIES = _cumulative(nd.ETHNIC_WEIGHTS)
_PHONES = _cumulative(nd.PHONE_PREFIXES)
_TEACHER_TITLES = _cumulative(nd.TEACHER_TITLES)
_STAFF_TITLES = _cumulative(nd.STAFF_TITLES)
_YEAR = 365.2425

# Age at application, in years, by category (students apply early in their studies).
_AGES = {
    "undergraduate": (18.0, 21.0),
    "postgraduate": (22.0, 27.0),
    "teacher": (26.0, 48.0),
    "other_staff": (22.0, 50.0),
    "other": (20.0, 40.0),
}


class PeopleFactory:
    """Draws people for one school: ``home`` is the school's city's county indexes (locals),
    ``province`` its province code."""

    def __init__(self, rng: Random, province: str, home: tuple[int, ...]) -> None:
        self.rng, self.province, self.home = rng, province, home

    def _pick(self, table: tuple[list[str], list[float]]) -> str:
        return self.rng.choices(table[0], cum_weights=table[1])[0]

    def gender(self, women_share: float) -> str:
        return "female" if self.rng.random() < women_share else "male"

    def name(self, gender: str, ethnicity: str) -> str:
        rng, female = self.rng, gender == "female"
        turkic = nd.TURKIC.get(ethnicity)
        if turkic is not None and rng.random() < 0.9:
            return rng.choice(turkic[1 if female else 0]) + "·" + rng.choice(turkic[2])
        if ethnicity == "藏族" and rng.random() < 0.85:
            first, second = rng.sample(nd.TIBETAN[1 if female else 0], 2)
            return first + second
        if ethnicity == "蒙古族" and rng.random() < 0.5:
            return rng.choice(nd.MONGOLIAN[1 if female else 0])
        own = nd.FEMALE_CHARS if female else nd.MALE_CHARS
        surname = self._pick(_SURNAMES)
        if rng.random() < 0.14:  # a one-character given name (李强, 王芳)
            return surname + rng.choice(own)
        if female and rng.random() < 0.03:  # reduplicated (婷婷)
            return surname + rng.choice(own) * 2
        first = rng.choice(own + nd.NEUTRAL_CHARS)
        second = rng.choice(own)
        while second == first:
            second = rng.choice(own)
        return surname + first + second

    def ethnicity(self) -> str:
        return self._pick(_ETHNICITIES)

    def county(self, ethnicity: str) -> int:
        rng = self.rng
        homes = ETHNIC_HOMES.get(ethnicity)
        if homes is not None and rng.random() < 0.85:
            return rng.choice(PROVINCE_COUNTIES[rng.choice(homes)])
        draw = rng.random()
        if draw < 0.4:
            return rng.choice(self.home)
        if draw < 0.7:
            return rng.choice(PROVINCE_COUNTIES[self.province])
        return rng.randrange(len(COUNTIES))

    def birth_date(self, category: str, applied: date) -> date:
        """Old enough to apply on ``applied`` (18 on the 18th birthday, identity.turns_age_on)."""
        low, high = _AGES[category]
        birth = applied - timedelta(days=int(self.rng.uniform(low, high) * _YEAR))
        while turns_age_on(birth, 18) > applied:
            birth -= timedelta(days=1)
        return birth

    def phone(self) -> str:
        return self._pick(_PHONES) + f"{self.rng.randrange(100_000_000):08d}"

    def person(self, category: str, applied: date, women_share: float) -> Person:
        rng = self.rng
        gender = self.gender(women_share)
        ethnicity = self.ethnicity()
        person = Person(
            name=self.name(gender, ethnicity),
            gender=gender,
            ethnicity=ethnicity,
            birth_date=self.birth_date(category, applied),
            county=self.county(ethnicity),
            phone=self.phone() if rng.random() < 0.98 else None,  # some never gave one
            category=category,
            education="below_college",
        )
        _career(rng, person)
        return person


def _career(rng: Random, person: Person) -> None:
    """Education, title and the high-knowledge flag, consistent with the category."""
    draw = rng.random()
    match person.category:
        case "undergraduate":
            person.education = "below_college"  # the highest degree held, not the one studied
        case "postgraduate":
            person.education = "bachelor" if draw < 0.85 else "master"
        case "teacher":
            person.education = (
                "doctorate" if draw < 0.45 else "master" if draw < 0.9 else "bachelor"
            )
            title = rng.choices(*_TEACHER_TITLES)[0]
            person.professional_title = title
            person.high_knowledge = person.education == "doctorate" or title in ("副教授", "教授")
            if person.high_knowledge and rng.random() < 0.04:
                person.talent_programme = rng.choice(nd.TALENT_PROGRAMMES)
        case "other_staff":
            person.education = (
                "bachelor"
                if draw < 0.5
                else "master"
                if draw < 0.8
                else "college"
                if draw < 0.95
                else "below_college"
            )
            if rng.random() < 0.5:
                person.professional_title = rng.choices(*_STAFF_TITLES)[0]
            person.high_knowledge = person.education == "master" and rng.random() < 0.2
        case _:
            person.education = "college" if draw < 0.5 else "bachelor"


class IdNumbers:
    """Allocates GB 11643 ID numbers without collisions: 500 sequence codes per (county, birth
    date, gender), handed out in a scrambled but fixed order. Memory is a fixed counter table
    (~5 MB), whatever the number of people.

    ``lanes`` instances with distinct ``lane`` numbers share the codes without coordination
    (each owns 1/lanes of every cell), so schools can be loaded in parallel: the order of calls
    on one instance decides its numbers, so each lane is called in a fixed order. Should a
    cell ever run out, the next county of the same province takes over: the birth date and
    gender, which other data depend on, never change.
    """

    FIRST = date(1930, 1, 1)
    LAST = date(2012, 12, 31)
    PER_CELL = 500  # sequence codes of one parity: 000-999, odd for men

    def __init__(self, lane: int = 0, lanes: int = 1) -> None:
        if not 0 <= lane < lanes <= self.PER_CELL:
            raise ValueError("lane out of range")
        self._days = (self.LAST - self.FIRST).days + 1
        self._capacity = self.PER_CELL // lanes
        if self._capacity > 255:
            self._counts = array("H", bytes(2 * len(COUNTIES) * self._days * 2))
        else:
            self._counts = array("B", bytes(len(COUNTIES) * self._days * 2))
        self._offset = lane * self._capacity

    def number(self, county: int, birth: date, gender: str) -> str:
        day = (birth - self.FIRST).days
        if not 0 <= day < self._days:
            raise ValueError(f"birth date {birth} outside {self.FIRST}..{self.LAST}")
        male = gender == "male"
        province = COUNTIES[county][:2]
        candidates = PROVINCE_COUNTIES[province]
        start = candidates.index(county)
        for shift in range(len(candidates)):
            here = candidates[(start + shift) % len(candidates)]
            cell = (here * self._days + day) * 2 + male
            used = self._counts[cell]
            if used < self._capacity:
                self._counts[cell] = used + 1
                code = self._offset + used
                sequence = (code * 197 + here * 31 + day) % self.PER_CELL  # 197 ⟂ 500: a bijection
                first_17 = f"{COUNTIES[here]}{birth:%Y%m%d}{sequence * 2 + male:03d}"
                return first_17 + check_character(first_17)
        raise RuntimeError(f"no ID number left for {province} {birth} {gender}")
