"""The official public-holiday arrangements (国务院办公厅关于部分节假日安排的通知) of the years
the data spans: each commission's working-day calendar (``calendar_days``), as its
organization department would enter it, and the calendar the derivation counts with."""

from __future__ import annotations

from datetime import date, timedelta

from partyplan.resolvers.recruits.rules.calendar import WorkingCalendar

D = date
# fmt: off
# (first, last) days off, and the weekend days worked instead (调休上班).
ARRANGEMENTS: dict[int, tuple[list[tuple[date, date]], list[date]]] = {
    2020: ([(D(2020, 1, 1), D(2020, 1, 1)), (D(2020, 1, 24), D(2020, 2, 2)),
            (D(2020, 4, 4), D(2020, 4, 6)), (D(2020, 5, 1), D(2020, 5, 5)),
            (D(2020, 6, 25), D(2020, 6, 27)), (D(2020, 10, 1), D(2020, 10, 8))],
           [D(2020, 1, 19), D(2020, 4, 26), D(2020, 5, 9), D(2020, 6, 28), D(2020, 9, 27),
            D(2020, 10, 10)]),
    2021: ([(D(2021, 1, 1), D(2021, 1, 3)), (D(2021, 2, 11), D(2021, 2, 17)),
            (D(2021, 4, 3), D(2021, 4, 5)), (D(2021, 5, 1), D(2021, 5, 5)),
            (D(2021, 6, 12), D(2021, 6, 14)), (D(2021, 9, 19), D(2021, 9, 21)),
            (D(2021, 10, 1), D(2021, 10, 7))],
           [D(2021, 2, 7), D(2021, 2, 20), D(2021, 4, 25), D(2021, 5, 8), D(2021, 9, 18),
            D(2021, 9, 26), D(2021, 10, 9)]),
    2022: ([(D(2022, 1, 1), D(2022, 1, 3)), (D(2022, 1, 31), D(2022, 2, 6)),
            (D(2022, 4, 3), D(2022, 4, 5)), (D(2022, 4, 30), D(2022, 5, 4)),
            (D(2022, 6, 3), D(2022, 6, 5)), (D(2022, 9, 10), D(2022, 9, 12)),
            (D(2022, 10, 1), D(2022, 10, 7))],
           [D(2022, 1, 29), D(2022, 1, 30), D(2022, 4, 2), D(2022, 4, 24), D(2022, 5, 7),
            D(2022, 10, 8), D(2022, 10, 9)]),
    2023: ([(D(2023, 1, 1), D(2023, 1, 2)), (D(2023, 1, 21), D(2023, 1, 27)),
            (D(2023, 4, 5), D(2023, 4, 5)), (D(2023, 4, 29), D(2023, 5, 3)),
            (D(2023, 6, 22), D(2023, 6, 24)), (D(2023, 9, 29), D(2023, 10, 6))],
           [D(2023, 1, 28), D(2023, 1, 29), D(2023, 4, 23), D(2023, 5, 6), D(2023, 6, 25),
            D(2023, 10, 7), D(2023, 10, 8)]),
    2024: ([(D(2024, 1, 1), D(2024, 1, 1)), (D(2024, 2, 10), D(2024, 2, 17)),
            (D(2024, 4, 4), D(2024, 4, 6)), (D(2024, 5, 1), D(2024, 5, 5)),
            (D(2024, 6, 10), D(2024, 6, 10)), (D(2024, 9, 15), D(2024, 9, 17)),
            (D(2024, 10, 1), D(2024, 10, 7))],
           [D(2024, 2, 4), D(2024, 2, 18), D(2024, 4, 7), D(2024, 4, 28), D(2024, 5, 11),
            D(2024, 9, 14), D(2024, 9, 29), D(2024, 10, 12)]),
    2025: ([(D(2025, 1, 1), D(2025, 1, 1)), (D(2025, 1, 28), D(2025, 2, 4)),
            (D(2025, 4, 4), D(2025, 4, 6)), (D(2025, 5, 1), D(2025, 5, 5)),
            (D(2025, 5, 31), D(2025, 6, 2)), (D(2025, 10, 1), D(2025, 10, 8))],
           [D(2025, 1, 26), D(2025, 2, 8), D(2025, 4, 27), D(2025, 9, 28), D(2025, 10, 11)]),
}
# fmt: on


def calendar_rows(years: range) -> list[tuple[date, str]]:
    """(day, 'holiday' | 'workday') for the years we have, as ``calendar_days`` stores them."""
    rows: list[tuple[date, str]] = []
    for year in years:
        if year not in ARRANGEMENTS:
            continue
        spans, workdays = ARRANGEMENTS[year]
        for first, last in spans:
            rows += [(first + timedelta(days=i), "holiday") for i in range((last - first).days + 1)]
        rows += [(day, "workday") for day in workdays]
    return sorted(rows)


def working_calendar(rows: list[tuple[date, str]]) -> WorkingCalendar:
    """The calendar ``procedure.load_calendar`` builds from those rows."""
    return WorkingCalendar(
        holidays=frozenset(d for d, kind in rows if kind == "holiday"),
        makeup_workdays=frozenset(d for d, kind in rows if kind == "workday"),
    )
