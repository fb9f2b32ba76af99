"""Pure rules of plans: amounts, the balance invariant, period calendars, lifecycle.

Balances per (period, unit) and per dimension (total, students, staff, high_knowledge):

* ``received`` — quota the unit got from above (issue, supplement, allocate; transfers in),
  less what it gave back (returns, transfers out);
* ``handed``  — quota it handed to its children, less what they returned;
* ``reserve`` — places it keeps explicitly (e.g. for staff).

Invariant (every unit but the commission, which issues without a ceiling):
``handed + reserve <= received`` and ``handed, reserve >= 0``, for every dimension.
"""

from __future__ import annotations

import functools
import operator
import re
from dataclasses import dataclass
from datetime import date
from typing import Any

from partyplan.resolvers import text

from .errors import PlanError, PlanErrorCode, Shortfall

DIMENSIONS = ("total", "students", "staff", "high_knowledge")
DIMENSION_NAMES = {
    "total": "total quota",
    "students": "student sub-quota",
    "staff": "staff sub-quota",
    "high_knowledge": "high-knowledge sub-quota",
}
MAX_AMOUNT = 100_000


@dataclass(frozen=True, slots=True)
class Amounts:
    total: int
    students: int = 0
    staff: int = 0
    high_knowledge: int = 0

    def scaled(self, sign: int) -> Amounts:
        return Amounts(*(sign * getattr(self, d) for d in DIMENSIONS))

    def __sub__(self, other: Amounts) -> Amounts:
        return Amounts(*(getattr(self, d) - getattr(other, d) for d in DIMENSIONS))

    def as_dict(self) -> dict[str, int]:
        # DIMENSIONS are the fields, in order (a test holds them so); dataclasses.fields()
        # rebuilt the field list on every call, four times per line of a plan.
        return {d: getattr(self, d) for d in DIMENSIONS}

    @property
    def is_zero(self) -> bool:
        return all(getattr(self, d) == 0 for d in DIMENSIONS)


def amounts_of(row: Any, figure: str) -> Amounts:
    """The four ``{figure}_{dimension}`` columns of a row (a plan reads four figures a line)."""
    return Amounts(*_figure_columns(figure)(row))


@functools.cache
def _figure_columns(figure: str) -> operator.attrgetter[Any]:
    return operator.attrgetter(*(f"{figure}_{d}" for d in DIMENSIONS))


def check_amounts(amounts: Amounts, field: str, *, allow_zero_total: bool = False) -> Amounts:
    """Counts of places: whole, non-negative, bounded; sub-quotas fit in the total
    (students + staff <= total; high-knowledge <= total, as 高知群体 is listed separately)."""
    for d in DIMENSIONS:
        value = getattr(amounts, d)
        if value < 0 or value > MAX_AMOUNT:
            raise PlanError(PlanErrorCode.INVALID_AMOUNT, f"{d} must be 0..{MAX_AMOUNT}", field)
    if amounts.total == 0 and not allow_zero_total:
        raise PlanError(PlanErrorCode.INVALID_AMOUNT, "the total must be at least 1", field)
    if amounts.students + amounts.staff > amounts.total:
        raise PlanError(PlanErrorCode.INVALID_AMOUNT, "students + staff exceed the total", field)
    if amounts.high_knowledge > amounts.total:
        raise PlanError(
            PlanErrorCode.INVALID_AMOUNT, "the high-knowledge sub-quota exceeds the total", field
        )
    return amounts


# Effects of each movement kind: (end, figure, sign). "from"/"to" are the movement's ends.
EFFECTS: dict[str, tuple[tuple[str, str, int], ...]] = {
    "issue": (("from", "handed", 1), ("to", "received", 1)),
    "supplement": (("from", "handed", 1), ("to", "received", 1)),
    "allocate": (("from", "handed", 1), ("to", "received", 1)),
    "transfer": (("from", "received", -1), ("to", "received", 1)),
    "return": (("from", "received", -1), ("to", "handed", -1)),
    "reserve": (("to", "reserve", 1),),
}


@dataclass
class Balance:
    """A unit's figures while a movement is checked."""

    unit_id: int
    unit_name: str
    unit_kind: str
    received: Amounts
    handed: Amounts
    reserve: Amounts

    def apply(self, figure: str, delta: Amounts) -> None:
        current: Amounts = getattr(self, figure)
        setattr(
            self, figure, Amounts(*(getattr(current, d) + getattr(delta, d) for d in DIMENSIONS))
        )

    def check(self, field: str) -> None:
        if self.unit_kind == "commission":
            return
        for d in DIMENSIONS:
            received = getattr(self.received, d)
            handed, reserve = getattr(self.handed, d), getattr(self.reserve, d)
            if handed < 0 or reserve < 0:
                raise PlanError(
                    PlanErrorCode.INVALID_AMOUNT,
                    f"{self.unit_name}: more {DIMENSION_NAMES[d]} than it holds would be taken back",
                    field,
                )
            over = handed + reserve - received
            if over > 0:
                raise Shortfall(self.unit_name, DIMENSION_NAMES[d], over, field)


def check_period(name: str, kind: str, starts_on: date, ends_on: date) -> str:
    name = " ".join(name.split())
    if not name or len(name) > 100:
        raise PlanError(PlanErrorCode.INVALID_PERIOD, "1–100 characters are required", "name")
    if starts_on > ends_on:
        raise PlanError(PlanErrorCode.INVALID_PERIOD, "the period ends before it starts", "endsOn")
    expected = {
        "calendar_year": lambda: (date(starts_on.year, 1, 1), date(starts_on.year, 12, 31)),
        "half_year": lambda: (
            (date(starts_on.year, 1, 1), date(starts_on.year, 6, 30))
            if starts_on.month <= 6
            else (date(starts_on.year, 7, 1), date(starts_on.year, 12, 31))
        ),
        "statistical_year": lambda: (date(starts_on.year, 7, 1), date(starts_on.year + 1, 6, 30)),
    }.get(kind)
    if expected is not None and (starts_on, ends_on) != expected():
        first, last = expected()
        raise PlanError(
            PlanErrorCode.INVALID_PERIOD,
            f"a {kind.replace('_', ' ')} starting then runs {first} to {last}",
            "startsOn",
        )
    return name


def default_report_due(ends_on: date) -> date:
    """The execution report is due on 15 Dec of the year the period ends (Shanxi 2023)."""
    return date(ends_on.year, 12, 15)


TRANSITIONS = {("draft", "issued"), ("issued", "closed")}


def check_transition(current: str, wanted: str) -> None:
    if (current, wanted) not in TRANSITIONS:
        raise PlanError(
            PlanErrorCode.INVALID_STATE_CHANGE,
            f"a {current} period cannot become {wanted}",
            "periodId",
        )


def check_writable(state: str, *, needs_issued: bool = False) -> None:
    if state == "closed":
        raise PlanError(PlanErrorCode.PERIOD_CLOSED, "the period is closed: read-only", "periodId")
    if needs_issued and state != "issued":
        raise PlanError(
            PlanErrorCode.PERIOD_NOT_ISSUED,
            "quota moves down the tree once the commission has issued the period",
            "periodId",
        )


def clean_text(
    value: str | None, field: str, code: PlanErrorCode, *, required: bool, limit: int = 500
) -> str | None:
    return text.clean_text(value, field, required=required, limit=limit, error=PlanError, code=code)


_DOCUMENT = re.compile(r"\S")


def clean_document(document_no: str | None, *, required: bool) -> str | None:
    """A document number such as 晋教工委组〔2023〕23号 (free text, kept as written)."""
    if document_no is not None and _DOCUMENT.search(document_no):
        return clean_text(
            document_no, "documentNo", PlanErrorCode.DOCUMENT_REQUIRED, required=True, limit=100
        )
    if required:
        raise PlanError(
            PlanErrorCode.DOCUMENT_REQUIRED, "a document number is required", "documentNo"
        )
    return None
