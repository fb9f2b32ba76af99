"""Quarter ends of a period, as the slow-progress rule judges them."""

from __future__ import annotations

from datetime import date

from partyplan.resolvers.warnings.service.plan_checks import quarter_ends


def test_a_calendar_year_has_four_quarter_ends() -> None:
    assert quarter_ends(date(2024, 1, 1), date(2024, 12, 31)) == [
        date(2024, 3, 31),
        date(2024, 6, 30),
        date(2024, 9, 30),
        date(2024, 12, 31),
    ]


def test_a_half_year_has_two_and_a_statistical_year_runs_from_its_own_start() -> None:
    assert quarter_ends(date(2019, 7, 1), date(2019, 12, 31)) == [
        date(2019, 9, 30),
        date(2019, 12, 31),
    ]
    assert quarter_ends(date(2022, 6, 6), date(2023, 6, 5)) == [
        date(2022, 9, 5),
        date(2022, 12, 5),
        date(2023, 3, 5),
        date(2023, 6, 5),
    ]


def test_a_short_period_ends_its_only_quarter_on_its_last_day() -> None:
    assert quarter_ends(date(2024, 11, 1), date(2024, 12, 15)) == [date(2024, 12, 15)]
