"""The earliest admission, cross-checked against the rule engine itself: for random recruits at
every stage, under the national table, Shanxi's overlay and a local overlay with a waiting time,
publicity and a working-day interval, the steps the walk places are recorded on the days it
claims through ``engine.evaluate`` (what recordStep runs) — each accepted without a finding — and
each step a rule placed is refused, or found late, one day earlier: the walk is exactly tight.
The stored half and today's half recombine to the walk from today."""

from __future__ import annotations

import random
import typing
from datetime import date, timedelta

import pytest

from partyplan.resolvers.recruits.rules import earliest
from partyplan.resolvers.recruits.rules.calendar import SAMPLE_CALENDAR_2023
from partyplan.resolvers.recruits.rules.check_types import Check, MinInterval, Period
from partyplan.resolvers.recruits.rules.engine import evaluate
from partyplan.resolvers.recruits.rules.overlays import (
    BUILTIN_OVERLAYS,
    CHONGQING,
    EXAMPLE_ACTIVIST_WAIT_6M,
    EXAMPLE_PUBLICITY_5WD,
    SHANXI,
    Overlay,
    RulesByDate,
)
from partyplan.resolvers.recruits.rules.sample_data import sample_data
from partyplan.resolvers.recruits.rules.steps import STEP_BY_CODE, RecordedStep, RecruitFacts
from partyplan.resolvers.recruits.rules.table import Precondition

CAL = SAMPLE_CALENDAR_2023
PERSON = RecruitFacts(date(2000, 5, 4))
LOCAL = Overlay(
    id="local-test",
    title="本地规程（测试）",
    document="测试〔2023〕1号",
    province="51",
    rules=(
        EXAMPLE_ACTIVIST_WAIT_6M,
        EXAMPLE_PUBLICITY_5WD,
        Precondition(
            "local.meeting.after_pre_review_10wd",
            "1",
            "地方发展党员规程（测试）",
            ("branch_meeting",),
            MinInterval("pre_review", Period(working_days=10)),
        ),
    ),
)
PROCEDURES = {
    "national": RulesByDate(CHONGQING, None, BUILTIN_OVERLAYS),
    "shanxi": RulesByDate(SHANXI, None, BUILTIN_OVERLAYS),
    "local": RulesByDate("51", None, (LOCAL,)),
}
#: How many steps of the path are recorded: up to the stage's last step, each stage covered.
CUTS = list(range(1, len(earliest.PATH)))


def _history(rng: random.Random, rules: RulesByDate, cut: int) -> list[RecordedStep]:
    """A valid history of the path's first ``cut`` steps, each a few days after the earliest
    day the walk allows (so no time limit is missed), every step accepted by the engine."""
    history = [RecordedStep("application", date(2023, 1, 2) + timedelta(days=rng.randrange(60)))]
    for step in earliest.PATH[1:cut]:
        start = max(s.on for s in history) + timedelta(days=rng.randrange(0, 12))
        walked = earliest.walk(history, PERSON, rules.on, CAL, start)
        assert walked is not None and walked.steps[0].step_code == step.code
        placed = walked.steps[0]
        on = placed.on + timedelta(days=rng.randrange(0, 3))
        data = sample_data(step, on, rules.on(on), CAL)
        judged = evaluate(step.code, on, data, history, PERSON, rules.on(on), CAL)
        assert judged.accepted and not judged.findings, (step.code, judged)
        history.append(RecordedStep(step.code, on, data))
    return history


def _cases() -> list[tuple[str, int, int]]:
    return [(name, cut, seed) for name in PROCEDURES for cut in CUTS for seed in range(2)]


@pytest.mark.parametrize(("procedure", "cut", "seed"), _cases())
def test_the_claimed_days_are_accepted_and_exactly_tight(
    procedure: str, cut: int, seed: int
) -> None:
    rng = random.Random(f"{procedure}-{cut}-{seed}")
    rules = PROCEDURES[procedure]
    history = _history(rng, rules, cut)
    today = max(s.on for s in history) + timedelta(days=rng.randrange(0, 15))
    walked = earliest.walk(history, PERSON, rules.on, CAL, today)
    assert walked is not None and walked.admitted_on is not None
    assert [p.step_code for p in walked.steps] == [s.code for s in earliest.PATH[cut:]]
    tight = 0
    recorded = list(history)
    for placed in walked.steps:
        assert placed.on >= today
        in_force = rules.on(placed.on)
        judged = evaluate(placed.step_code, placed.on, placed.data, recorded, PERSON, in_force, CAL)
        assert judged.accepted, (placed, judged.violations)
        assert not judged.findings, (placed, judged.findings)
        if placed.bound != earliest.START:
            before = placed.on - timedelta(days=1)
            data = sample_data(STEP_BY_CODE[placed.step_code], before, rules.on(before), CAL)
            early = evaluate(
                placed.step_code, before, data, recorded, PERSON, rules.on(before), CAL
            )
            assert not early.accepted or early.findings, (placed, "accepted a day earlier")
            tight += 1
        recorded.append(RecordedStep(placed.step_code, placed.on, placed.data))
    assert walked.admitted_on == walked.steps[-1].on
    # Every step is placed by today or by a rule; most by a rule (the order at least).
    assert tight >= 1 or all(p.bound == earliest.START for p in walked.steps)


@pytest.mark.parametrize("procedure", sorted(PROCEDURES))
@pytest.mark.parametrize("seed", range(12))
def test_stored_half_and_todays_half_give_the_walk_from_today(procedure: str, seed: int) -> None:
    rng = random.Random(f"split-{procedure}-{seed}")
    rules = PROCEDURES[procedure]
    history = _history(rng, rules, rng.choice(CUTS))
    stored = earliest.derive_columns(history, PERSON, rules.on, CAL)
    assert stored["admission_steps_left"] in earliest.masks()
    for _ in range(5):
        today = max(s.on for s in history) + timedelta(days=rng.randrange(0, 800))
        walked = earliest.walk(history, PERSON, rules.on, CAL, today)
        assert walked is not None
        until = stored["admission_possible_until"]
        if until is not None and today > until:
            assert walked.admitted_on is None
            continue
        half = earliest.floor(stored["admission_steps_left"], rules.on, CAL, today)
        assert half is not None
        assert walked.admitted_on == max(stored["admission_earliest_on"], half)


def test_an_activist_designated_less_than_a_year_before_the_end_cannot_be_admitted_in_it() -> None:
    rules = PROCEDURES["national"]
    activist = date(2023, 3, 20)
    history = [
        RecordedStep("application", date(2022, 9, 15)),
        RecordedStep("talk", date(2022, 10, 10)),
        RecordedStep("activist", activist),
    ]
    walked = earliest.walk(history, PERSON, rules.on, CAL, date(2023, 12, 1))
    assert walked is not None
    target = next(p for p in walked.steps if p.step_code == "development_target")
    assert (target.on, target.bound) == (date(2024, 3, 20), "target.after_activist_1y")
    assert walked.admitted_on == date(2024, 3, 20)
    # An applicant not yet an activist: the year runs from today.
    applicant = earliest.walk(history[:2], PERSON, rules.on, CAL, date(2023, 12, 1))
    assert applicant is not None and applicant.admitted_on == date(2024, 12, 1)


def _target(review: str = "qualified", **pre_review: str) -> list[RecordedStep]:
    steps = [
        ("application", date(2021, 9, 1), {}),
        ("talk", date(2021, 9, 10), {}),
        ("activist", date(2021, 10, 8), {}),
        ("activist_filing", date(2021, 10, 9), {}),
        ("contacts", date(2021, 10, 9), {"contacts": ["1"]}),
        ("cultivation", date(2022, 4, 1), {}),
        ("development_target", date(2022, 10, 10), {}),
        ("target_filing", date(2022, 10, 11), {}),
        ("introducers", date(2022, 10, 11), {"introducers": ["1", "2"]}),
        ("political_review", date(2022, 11, 1), {"conclusion": review}),
        ("training", date(2022, 11, 5), {"days": 3}),
        ("branch_committee_review", date(2022, 11, 10), {}),
        ("pre_review", date(2022, 11, 20), pre_review),
    ]
    return [RecordedStep(code, on, data) for code, on, data in steps]


def test_a_review_out_of_date_ends_the_chance_until_corrected() -> None:
    rules = PROCEDURES["national"]
    stored = earliest.derive_columns(_target(), PERSON, rules.on, CAL)
    assert stored["admission_earliest_on"] == date(2022, 11, 20)
    assert stored["admission_possible_until"] == date(2023, 11, 1)  # the review's one year
    late = earliest.walk(_target(), PERSON, rules.on, CAL, date(2023, 11, 2))
    assert late is not None and (late.admitted_on, late.blocked_by) == (None, "review.valid_1y")
    on_time = earliest.walk(_target(), PERSON, rules.on, CAL, date(2023, 11, 1))
    assert on_time is not None and on_time.admitted_on == date(2023, 11, 1)


def test_an_unqualified_review_or_a_departure_within_three_months_is_not_counted() -> None:
    rules = PROCEDURES["national"]
    unqualified = earliest.derive_columns(_target("unqualified"), PERSON, rules.on, CAL)
    assert unqualified["admission_earliest_on"] is None
    assert unqualified["admission_steps_left"] is not None  # still in the pipeline
    leaving = _target(expected_leave_on="2023-01-15")
    walked = earliest.walk(leaving, PERSON, rules.on, CAL, date(2022, 12, 1))
    assert walked is not None and walked.blocked_by == "target.leaving_3m"
    staying = earliest.walk(
        _target(expected_leave_on="2023-07-15"), PERSON, rules.on, CAL, date(2022, 12, 1)
    )
    assert staying is not None and staying.admitted_on == date(2022, 12, 1)
    # Leaving in July: admissible until three months before.
    stored = earliest.derive_columns(_target(expected_leave_on="2023-07-15"), PERSON, rules.on, CAL)
    assert stored["admission_possible_until"] == date(2023, 4, 14)


def test_no_admission_ahead_once_approved_or_cancelled() -> None:
    rules = PROCEDURES["national"]
    approved = [*_target(), RecordedStep("approval", date(2023, 1, 1))]
    assert earliest.walk(approved, PERSON, rules.on, CAL) is None
    assert set(earliest.derive_columns(approved, PERSON, rules.on, CAL).values()) == {None}


def test_every_check_type_is_classified() -> None:
    assert set(earliest.CHECK_TYPES) == set(typing.get_args(Check))


def test_the_masks_are_the_states_a_recruit_can_be_in() -> None:
    masks = earliest.masks()
    assert len(masks) == len(set(masks)) == 29  # 8 before step 7, 16 of steps 8–11, 5 after
    assert earliest.mask([RecordedStep("application", date(2023, 1, 1))]) in masks
