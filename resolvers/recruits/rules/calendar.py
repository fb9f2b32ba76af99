"""Working days and month arithmetic for the procedure's time limits. Pure; no I/O.

Two kinds of period appear in the rules:

* **calendar months** — "talk within 1 month of the application" (细则第七条), "approval within
  3 months" (细则第二十四条), "probation of 1 year" (细则第三十二条). :func:`add_months` computes
  them; "within N months of X" means *on or before* ``add_months(X, N)``.
* **working days** — "publicity of at least 5 working days" (公示不少于5个工作日, a common local
  rule). China's State Council moves the public holidays every year and swaps weekend days for
  working days around them (调休), so a working day is not simply Monday–Friday:
  :class:`WorkingCalendar` holds the holidays and the make-up working days as data, which the
  commission can edit each December when the next year's arrangement is published.

:data:`SAMPLE_CALENDAR_2023` is sample data (the official 2023 arrangement) used by the tests.
"""

from __future__ import annotations

from collections.abc import Iterable
from collections.abc import Set as AbstractSet
from dataclasses import dataclass
from datetime import date, timedelta

__all__ = [
    "SAMPLE_CALENDAR_2023",
    "WorkingCalendar",
    "add_months",
    "days_in_month",
]


def days_in_month(year: int, month: int) -> int:
    if month == 12:
        return 31
    return (date(year, month + 1, 1) - timedelta(days=1)).day


def add_months(d: date, n: int) -> date:
    """``d`` moved by ``n`` calendar months (``n`` may be negative), clamped to the month's end.

    Convention: the same day of the month ``n`` months later; when that month is shorter, its last
    day. So 31 Jan + 1 month = 28 Feb (29 Feb in a leap year), 31 Aug + 1 month = 30 Sep, and
    29 Feb 2024 + 12 months = 28 Feb 2025. Clamping never carries into the next month: a one-month
    time limit from 31 Jan is due in February, not on 3 March.

    Clamping loses the day, so the operation does not compose: 31 Jan + 1 + 1 = 28 Mar but
    31 Jan + 2 = 31 Mar. Always count from the anchor date (the rule engine does), never from a
    previously computed due date.
    """
    index = d.year * 12 + (d.month - 1) + n
    year, month = divmod(index, 12)
    month += 1
    return date(year, month, min(d.day, days_in_month(year, month)))


def _weekdays_between(a: date, b: date) -> int:
    """Mondays to Fridays in ``[a, b]`` (0 when ``b < a``), without walking day by day."""
    if b < a:
        return 0
    total = (b - a).days + 1
    weeks, rest = divmod(total, 7)
    count = weeks * 5
    first = a.weekday()
    count += sum(1 for i in range(rest) if (first + i) % 7 < 5)
    return count


@dataclass(frozen=True, slots=True)
class WorkingCalendar:
    """Which dates are working days: Monday–Friday, minus public holidays, plus the weekend days
    worked in exchange for them (调休上班).

    ``holidays`` are the days off of the official arrangement (weekend days inside a holiday may be
    listed or not: they are days off either way); ``makeup_workdays`` are the weekend days that
    are worked. A date cannot be both. Dates outside the data fall back to Monday–Friday, so a
    calendar only needs the years the commission has entered.
    """

    holidays: AbstractSet[date] = frozenset()
    makeup_workdays: AbstractSet[date] = frozenset()
    name: str = ""

    def __post_init__(self) -> None:
        # Freeze the sets so a calendar can be shared between requests and used as a dict key.
        object.__setattr__(self, "holidays", frozenset(self.holidays))
        object.__setattr__(self, "makeup_workdays", frozenset(self.makeup_workdays))
        both = sorted(self.holidays & self.makeup_workdays)
        if both:
            raise ValueError(f"dates both holiday and make-up working day: {both}")

    @classmethod
    def from_ranges(
        cls,
        holidays: Iterable[tuple[date, date]],
        makeup_workdays: Iterable[date] = (),
        name: str = "",
    ) -> WorkingCalendar:
        """A calendar from holiday spans ``(first, last)`` (inclusive), as the State Council's
        notice states them ("9月29日至10月6日放假调休，共8天")."""
        days: set[date] = set()
        for first, last in holidays:
            if last < first:
                raise ValueError(f"holiday span ends before it starts: {first} – {last}")
            days.update(first + timedelta(days=i) for i in range((last - first).days + 1))
        return cls(frozenset(days), frozenset(makeup_workdays), name)

    def merged(self, other: WorkingCalendar) -> WorkingCalendar:
        """Both calendars' data (e.g. 2023's and 2024's arrangements)."""
        return WorkingCalendar(
            self.holidays | other.holidays,
            self.makeup_workdays | other.makeup_workdays,
            " + ".join(n for n in (self.name, other.name) if n),
        )

    def is_working_day(self, d: date) -> bool:
        if d in self.makeup_workdays:
            return True
        if d in self.holidays:
            return False
        return d.weekday() < 5

    def add_working_days(self, start: date, n: int) -> date:
        """The date ``n`` working days after ``start`` (before it when ``n`` is negative).

        ``start`` itself is not counted, like ``start + timedelta(days=n)``; ``n == 0`` returns
        ``start`` unchanged even on a day off. A publicity period of N working days that opens on
        a working day ``s`` therefore closes on ``add_working_days(s, N - 1)``.
        """
        step = 1 if n >= 0 else -1
        d, left = start, abs(n)
        while left:
            d += timedelta(days=step)
            if self.is_working_day(d):
                left -= 1
        return d

    def working_days_between(self, a: date, b: date) -> int:
        """Working days from ``a`` to ``b``, **both included** (0 when ``b < a``).

        Inclusive because that is how a period is written and counted: a publicity "from 28 Sep
        to 10 Oct 2023" lasts 5 working days (28 Sep, 7, 8, 9 and 10 Oct). For a working day
        ``a``: ``working_days_between(a, add_working_days(a, n)) == n + 1``.
        """
        if b < a:
            return 0
        count = _weekdays_between(a, b)
        count -= sum(1 for d in self.holidays if a <= d <= b and d.weekday() < 5)
        count += sum(1 for d in self.makeup_workdays if a <= d <= b and d.weekday() >= 5)
        return count


#: SAMPLE DATA, for tests and examples — not maintained: the official 2023 arrangement
#: (国务院办公厅关于2023年部分节假日安排的通知). A deployment loads the commission's own calendar.
SAMPLE_CALENDAR_2023 = WorkingCalendar.from_ranges(
    holidays=[
        (date(2022, 12, 31), date(2023, 1, 2)),  # 元旦：12月31日至1月2日
        (date(2023, 1, 21), date(2023, 1, 27)),  # 春节：1月21日至27日
        (date(2023, 4, 5), date(2023, 4, 5)),  # 清明节：4月5日
        (date(2023, 4, 29), date(2023, 5, 3)),  # 劳动节：4月29日至5月3日
        (date(2023, 6, 22), date(2023, 6, 24)),  # 端午节：6月22日至24日
        (date(2023, 9, 29), date(2023, 10, 6)),  # 中秋节、国庆节：9月29日至10月6日
    ],
    makeup_workdays=[
        date(2023, 1, 28),  # 春节：1月28日（星期六）上班
        date(2023, 1, 29),  # 春节：1月29日（星期日）上班
        date(2023, 4, 23),  # 劳动节：4月23日（星期日）上班
        date(2023, 5, 6),  # 劳动节：5月6日（星期六）上班
        date(2023, 6, 25),  # 端午节：6月25日（星期日）上班
        date(2023, 10, 7),  # 国庆节：10月7日（星期六）上班
        date(2023, 10, 8),  # 国庆节：10月8日（星期日）上班
    ],
    name="SAMPLE 2023 (国务院办公厅 2023年部分节假日安排)",
)
