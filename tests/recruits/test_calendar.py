"""Working-day calendar (调休) and month arithmetic of the procedure's time limits."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from partyplan.resolvers.recruits.rules.calendar import (
    SAMPLE_CALENDAR_2023,
    WorkingCalendar,
    add_months,
    days_in_month,
)

CAL = SAMPLE_CALENDAR_2023


def test_sample_calendar_is_labelled_as_sample_data() -> None:
    assert CAL.name.startswith("SAMPLE")


@pytest.mark.parametrize(
    ("day", "working"),
    [
        (date(2023, 1, 2), False),  # 元旦 (Monday off)
        (date(2023, 1, 23), False),  # 春节 (Monday off)
        (date(2023, 1, 28), True),  # Saturday worked for 春节
        (date(2023, 1, 29), True),  # Sunday worked for 春节
        (date(2023, 4, 5), False),  # 清明节 (Wednesday)
        (date(2023, 4, 23), True),  # Sunday worked for 劳动节
        (date(2023, 5, 6), True),  # Saturday worked for 劳动节
        (date(2023, 6, 23), False),  # 端午节 (Friday)
        (date(2023, 6, 25), True),  # Sunday worked for 端午节
        (date(2023, 10, 2), False),  # 国庆节 (Monday)
        (date(2023, 10, 7), True),  # Saturday worked for 国庆节
        (date(2023, 10, 8), True),  # Sunday worked for 国庆节
        (date(2023, 10, 9), True),  # an ordinary Monday
        (date(2023, 10, 14), False),  # an ordinary Saturday
        (date(2024, 10, 1), True),  # outside the data: Monday–Friday rule only
    ],
)
def test_is_working_day(day: date, working: bool) -> None:
    assert CAL.is_working_day(day) is working


def test_add_working_days_crosses_national_day_using_the_make_up_days() -> None:
    # Thursday 28 Sep is the last working day before 29 Sep–6 Oct; 7 and 8 Oct are worked.
    start = date(2023, 9, 28)
    assert [CAL.add_working_days(start, n) for n in range(1, 5)] == [
        date(2023, 10, 7),
        date(2023, 10, 8),
        date(2023, 10, 9),
        date(2023, 10, 10),
    ]
    # Without the make-up days the same count ends two days later.
    holidays_only = WorkingCalendar(CAL.holidays, frozenset())
    assert holidays_only.add_working_days(start, 4) == date(2023, 10, 12)


def test_add_working_days_zero_and_backwards() -> None:
    assert CAL.add_working_days(date(2023, 10, 1), 0) == date(2023, 10, 1)  # even a day off
    assert CAL.add_working_days(date(2023, 10, 7), -1) == date(2023, 9, 28)
    assert CAL.add_working_days(date(2023, 1, 30), -2) == date(2023, 1, 28)


def test_working_days_between_counts_both_ends() -> None:
    assert CAL.working_days_between(date(2023, 9, 28), date(2023, 10, 10)) == 5
    assert CAL.working_days_between(date(2023, 9, 28), date(2023, 10, 9)) == 4
    assert CAL.working_days_between(date(2023, 9, 29), date(2023, 10, 6)) == 0
    assert CAL.working_days_between(date(2023, 10, 9), date(2023, 10, 9)) == 1
    assert CAL.working_days_between(date(2023, 10, 10), date(2023, 10, 9)) == 0
    # 260 weekdays, 18 of them off, 7 weekend days worked: the official 249 working days.
    assert CAL.working_days_between(date(2023, 1, 1), date(2023, 12, 31)) == 249


def test_working_days_between_agrees_with_is_working_day() -> None:
    first = date(2022, 12, 1)
    days = [first + timedelta(days=i) for i in range(430)]
    for a in days[::37]:
        for b in days[::23]:
            expected = sum(1 for d in days if a <= d <= b and CAL.is_working_day(d))
            assert CAL.working_days_between(a, b) == expected, (a, b)


def test_add_working_days_and_working_days_between_are_consistent() -> None:
    start = date(2023, 9, 28)
    for n in range(0, 30):
        assert CAL.working_days_between(start, CAL.add_working_days(start, n)) == n + 1


def test_a_date_cannot_be_both_holiday_and_make_up_day() -> None:
    with pytest.raises(ValueError, match="both"):
        WorkingCalendar({date(2023, 10, 7)}, {date(2023, 10, 7)})
    with pytest.raises(ValueError, match="ends before"):
        WorkingCalendar.from_ranges([(date(2023, 10, 6), date(2023, 9, 29))])


def test_calendars_merge_and_accept_plain_sets() -> None:
    spring_2024 = WorkingCalendar({date(2024, 2, 12)}, {date(2024, 2, 4)}, "2024 excerpt")
    merged = CAL.merged(spring_2024)
    assert not merged.is_working_day(date(2024, 2, 12))
    assert merged.is_working_day(date(2024, 2, 4))
    assert merged.is_working_day(date(2023, 10, 7))
    assert isinstance(spring_2024.holidays, frozenset)


@pytest.mark.parametrize(
    ("start", "months", "expected"),
    [
        (date(2023, 1, 31), 1, date(2023, 2, 28)),  # clamped to the end of February
        (date(2024, 1, 31), 1, date(2024, 2, 29)),  # leap year
        (date(2024, 2, 29), 12, date(2025, 2, 28)),  # one year after a leap day
        (date(2023, 8, 31), 1, date(2023, 9, 30)),
        (date(2023, 11, 30), 3, date(2024, 2, 29)),
        (date(2023, 12, 31), 2, date(2024, 2, 29)),  # across the year
        (date(2023, 3, 31), -1, date(2023, 2, 28)),  # backwards
        (date(2023, 1, 15), -1, date(2022, 12, 15)),
        (date(2023, 12, 15), 1, date(2024, 1, 15)),
        (date(2023, 1, 31), 24, date(2025, 1, 31)),
        (date(2023, 5, 10), 0, date(2023, 5, 10)),
    ],
)
def test_add_months_clamps_to_the_end_of_the_month(
    start: date, months: int, expected: date
) -> None:
    assert add_months(start, months) == expected


def test_add_months_does_not_compose_so_always_count_from_the_anchor() -> None:
    assert add_months(add_months(date(2023, 1, 31), 1), 1) == date(2023, 3, 28)
    assert add_months(date(2023, 1, 31), 2) == date(2023, 3, 31)


def test_days_in_month() -> None:
    assert [days_in_month(2024, m) for m in (1, 2, 4, 12)] == [31, 29, 30, 31]
    assert days_in_month(2023, 2) == 28


@given(
    st.dates(min_value=date(1950, 1, 1), max_value=date(2100, 12, 31)),
    st.integers(min_value=-600, max_value=600),
)
def test_add_months_lands_in_the_right_month_on_the_same_or_last_day(d: date, n: int) -> None:
    result = add_months(d, n)
    assert (result.year * 12 + result.month) - (d.year * 12 + d.month) == n
    assert result.day == min(d.day, days_in_month(result.year, result.month))
