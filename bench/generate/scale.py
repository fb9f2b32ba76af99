"""The sizes the generator knows, and the seed discipline every module follows.

A :class:`Scale` fixes how much data there is and the timeline it spans; the seed fixes what the
data is. Same scale and seed ⇒ same data, whatever the machine or the order the schools are
generated in: every random draw comes from a ``random.Random`` seeded by :func:`seed_for` from
the run's seed and a label naming what is drawn (a school, the plans, …), never from a shared
stream whose position would depend on the work done before.
"""

from __future__ import annotations

import hashlib
import random
from dataclasses import dataclass
from datetime import date


@dataclass(frozen=True)
class Scale:
    """How much to generate.

    ``units`` is a target (the tree's shape decides the exact count, within a few percent);
    ``recruits`` is exact. ``years`` are the commission's calendar-year plan periods (all issued);
    ``as_of`` is "today" for the data: no step is dated later, and the warning scan judges on
    it. Applications start at ``first_application``, early enough that the first period
    already admits people who applied before it.
    """

    name: str
    schools: int
    units: int
    recruits: int
    commissions: int = 1
    members_per_branch: tuple[int, int] = (20, 40)
    years: tuple[int, ...] = (2023, 2024, 2025)
    as_of: date = date(2025, 11, 20)
    first_application: date = date(2020, 3, 1)
    # Run the warning scan after the load. Off at nation scale: its missing-data rule reads the
    # whole of recruit_steps once per item and per commission (see bench/README.md).
    scan: bool = True

    def __post_init__(self) -> None:
        if self.schools < self.commissions or self.commissions < 1:
            raise ValueError("every commission needs at least one school")
        if self.units < 1 + self.schools * 4:
            raise ValueError("too few units: a school has at least a committee and two branches")
        if not self.years or self.as_of < date(max(self.years), 1, 1):
            raise ValueError("as_of must fall in or after the last plan year")
        if self.first_application >= self.as_of:
            raise ValueError("applications must start before as_of")


SCALES: dict[str, Scale] = {
    # A smoke test's data set: loads in seconds.
    "small": Scale("small", schools=5, units=250, recruits=10_000),
    # docs/domain.md, "Scale": a province.
    "province": Scale("province", schools=150, units=8_000, recruits=300_000),
    # The whole country: one commission per province-level division.
    "nation": Scale(
        "nation", schools=3_000, units=200_000, recruits=10_000_000, commissions=31, scan=False
    ),
}

DEFAULT_SEED = 20251120


def seed_for(seed: int, *labels: object) -> int:
    """A 64-bit seed for the draws named by ``labels`` (stable across runs and Python builds:
    no ``hash()``, which is salted per process for strings)."""
    text = "/".join(str(part) for part in (seed, *labels))
    return int.from_bytes(hashlib.blake2b(text.encode(), digest_size=8).digest(), "big")


def rng_for(seed: int, *labels: object) -> random.Random:
    return random.Random(seed_for(seed, *labels))
