"""Pure rules of plans: amounts, the balance invariants, period calendars, lifecycle.

Balances per (period, unit) and per dimension (total, students, staff, high_knowledge):

* ``received`` — quota the unit got from above (issue, supplement, allocate; transfers in),
  less what it gave back (returns, transfers out);
* ``handed``  — quota it handed to its children, less what they returned;
* ``reserve`` — places it keeps explicitly (e.g. for staff);
* ``available`` — what it may still hand down: ``received - handed - reserve`` (not stored);
* ``forecast`` — its latest forecast (预计发展数), set by a submission, not by the ledger.

Invariants, held after every movement (issue, supplement, allocate, transfer, return,
reserve) and forecast, checked in the writing transaction while the touched rows are locked,
and backed by ``unit_quotas``' CHECK constraints (migrations 0002 and 0010):

1. Fit (every unit but the commission, which issues without a ceiling): ``handed >= 0``,
   ``reserve >= 0`` and ``handed + reserve <= received``, for every dimension; for the total,
   ``handed + reserve + named <= received``, where ``named`` is the places placed on named
   development targets (placeQuota; migration 0021's ``ck_unit_quotas_named_fits``).
2. Sub-quota bounds, on every balance of every unit (``available`` not for the commission:
   with no ceiling, it is negative by design): each sub-quota is ``>= 0``, ``students + staff
   <= total`` and ``high_knowledge <= total``. So a unit never keeps a sub-quota its total cannot
   hold: returning ``{total: 2}`` from ``{total: 2, students: 1}`` is refused
   (``SUBQUOTA_EXCEEDS_TOTAL`` on ``amounts.students``); ``{total: 2, students: 1}`` is not.

Students and staff are disjoint (a recruit's category is one or the other), hence the sum.
The high-knowledge group (高知群体) is listed separately (单列) and bounded by the total only:
the seeds' examples are teachers ("2 名教师（1 名高知识群体教师）"), but a recruit's 高知 flag
is independent of their category and the roll-ups count it so, hence not ``<= staff``.
Inputs obey the same bounds (:func:`check_amounts`); balances must be checked too, since the
difference of two bounded amounts (what a return or a transfer leaves, what is left available
after an allocation or a reserve) need not be bounded.
"""

from __future__ import annotations

import functools
import operator
import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any

from partyplan.resolvers import text

from .errors import PlanError, PlanErrorCode, Shortfall, SubquotaExceedsTotal

DIMENSIONS = ("total", "students", "staff", "high_knowledge")
SUBQUOTAS = DIMENSIONS[1:]
# The operator's check (``partyplan plans verify``) names dimensions in English; refusals
# name them in Chinese (DIMENSION_LABELS).
DIMENSION_NAMES = {
    "total": "total quota",
    "students": "student sub-quota",
    "staff": "staff sub-quota",
    "high_knowledge": "high-knowledge sub-quota",
}
DIMENSION_LABELS = {
    "total": "总名额",
    "students": "学生名额",
    "staff": "教职工名额",
    "high_knowledge": "高知群体名额",
}
PAIR_LABEL = "学生与教职工名额之和"
# A dimension as the amounts inputs spell it (QuotaAmountsInput), for dotted error fields.
INPUT_FIELDS = {
    "total": "total",
    "students": "students",
    "staff": "staff",
    "high_knowledge": "highKnowledge",
}
FIGURE_NAMES = {
    "received": "已接收名额",
    "handed": "已分解名额",
    "reserve": "预留名额",
    "available": "可分解名额",
    "forecast": "预计发展数",
}
#: Structural indicators (StructuralIndicator) as refusals name them.
INDICATOR_LABELS = {
    "youth_35": "35岁及以下青年",
    "college_educated": "大专及以上学历",
    "women": "女性",
    "ethnic_minority": "少数民族",
    "professional_technical": "专业技术人员",
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

    def __add__(self, other: Amounts) -> Amounts:
        return Amounts(*(getattr(self, d) + getattr(other, d) for d in DIMENSIONS))

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
            raise PlanError(
                PlanErrorCode.INVALID_AMOUNT,
                f"{DIMENSION_LABELS[d]}应在 0 至 {MAX_AMOUNT} 之间",
                field,
            )
    if amounts.total == 0 and not allow_zero_total:
        raise PlanError(PlanErrorCode.INVALID_AMOUNT, "总名额至少为 1", field)
    excess = subquota_excess(amounts)
    if excess is not None:
        what = DIMENSION_LABELS["high_knowledge"] if excess[0] == "high_knowledge" else PAIR_LABEL
        raise PlanError(PlanErrorCode.INVALID_AMOUNT, f"{what}超过总名额", field)
    return amounts


def subquota_excess(amounts: Amounts) -> tuple[str, int] | None:
    """The sub-quota of ``amounts`` over its bound and by how many places, or None when the
    bounds hold (``students + staff <= total``, ``high_knowledge <= total``; sub-quotas are
    taken as non-negative here). Each sub-quota alone is judged first, in DIMENSIONS order;
    then students + staff together, which names ``students``, the first of the pair."""
    for d in SUBQUOTAS:
        over = getattr(amounts, d) - amounts.total
        if over > 0:
            return d, over
    over = amounts.students + amounts.staff - amounts.total
    return ("students", over) if over > 0 else None


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
    #: Places placed on named development targets (placeQuota): they stay with the unit, so a
    #: movement may not take them from under the names (migration 0021).
    named: int = 0

    def apply(self, figure: str, delta: Amounts) -> None:
        current: Amounts = getattr(self, figure)
        setattr(
            self, figure, Amounts(*(getattr(current, d) + getattr(delta, d) for d in DIMENSIONS))
        )

    def check_fit(self, field: str) -> None:
        """Invariant 1 of the module docstring (the commission has no ceiling)."""
        if self.unit_kind == "commission":
            return
        for d in DIMENSIONS:
            received = getattr(self.received, d)
            handed, reserve = getattr(self.handed, d), getattr(self.reserve, d)
            if handed < 0 or reserve < 0:
                raise PlanError(
                    PlanErrorCode.INVALID_AMOUNT,
                    _taken_back(self.unit_name, DIMENSION_LABELS[d]),
                    field,
                )
            over = handed + reserve - received
            if d == "total":
                over += self.named
            if over > 0:
                raise Shortfall(self.unit_name, d, DIMENSION_LABELS[d], over, field)

    def check_subquotas(self, field: str) -> None:
        """Invariant 2 of the module docstring, on every balance of the unit; the error names
        ``field`` (the movement's amounts input) dotted with the sub-quota at fault."""
        figures = {"received": self.received, "handed": self.handed, "reserve": self.reserve}
        breaches = subquota_breaches(figures, self.unit_kind)
        if not breaches:
            return
        breach = breaches[0]
        input_field = f"{field}.{INPUT_FIELDS[breach.dimension]}"
        if breach.negative:
            raise PlanError(
                PlanErrorCode.INVALID_AMOUNT, _taken_back(self.unit_name, breach.label), input_field
            )
        raise SubquotaExceedsTotal(
            self.unit_name,
            FIGURE_NAMES[breach.figure],
            breach.label,
            breach.dimension,
            breach.places,
            input_field,
        )


def _taken_back(unit_name: str, what: str) -> str:
    return f"{unit_name}：收回的{what}超过其现有数"


@dataclass(frozen=True, slots=True)
class Breach:
    """A balance outside the sub-quota bounds: its ``figure``'s ``dimension`` (in words:
    ``what`` for the operator's check, ``label`` for a refusal) is ``places`` over its bound,
    or ``places`` below zero when ``negative``."""

    figure: str
    dimension: str
    what: str
    label: str
    places: int
    negative: bool = False


def subquota_breaches(figures: dict[str, Amounts], unit_kind: str) -> list[Breach]:
    """Invariant 2 on a unit's balances, ``figures`` by name (received, handed and reserve,
    and any other, such as forecast); ``available`` is derived here, below the commission."""
    figures = dict(figures)
    if unit_kind != "commission":
        figures["available"] = figures["received"] - figures["handed"] - figures["reserve"]
    found = []
    for figure, amounts in figures.items():
        negative = [d for d in SUBQUOTAS if getattr(amounts, d) < 0]
        for d in negative:
            found.append(
                Breach(
                    figure, d, DIMENSION_NAMES[d], DIMENSION_LABELS[d], -getattr(amounts, d), True
                )
            )
        excess = subquota_excess(amounts)
        if excess is not None and not negative:
            dimension, over = excess
            if getattr(amounts, dimension) > amounts.total:  # alone
                what, label = DIMENSION_NAMES[dimension], DIMENSION_LABELS[dimension]
            else:
                what, label = "student + staff sub-quotas", PAIR_LABEL
            found.append(Breach(figure, dimension, what, label, over))
    return found


def check_balances(balances: Iterable[Balance], field: str) -> None:
    """Every invariant on the balances a movement leaves: the fit of each unit first (a
    SHORTFALL is the plainer reason when both break), then the sub-quota bounds."""
    balances = list(balances)
    for balance in balances:
        balance.check_fit(field)
    for balance in balances:
        balance.check_subquotas(field)


def check_period(name: str, kind: str, starts_on: date, ends_on: date) -> str:
    name = " ".join(name.split())
    if not name or len(name) > 100:
        raise PlanError(PlanErrorCode.INVALID_PERIOD, "计划期名称应为 1 至 100 个字符", "name")
    if (problem := text.unsafe(name)) is not None:
        raise PlanError(PlanErrorCode.INVALID_PERIOD, f"计划期名称{problem}", "name")
    if starts_on > ends_on:
        raise PlanError(PlanErrorCode.INVALID_PERIOD, "截止日期早于起始日期", "endsOn")
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
            f"该{PERIOD_KINDS[kind]}的起止日期应为 {first} 至 {last}",
            "startsOn",
        )
    return name


PERIOD_KINDS = {"calendar_year": "自然年度", "half_year": "半年度", "statistical_year": "统计年度"}
PERIOD_STATES = {"draft": "草拟", "issued": "已下达", "closed": "已关闭"}


def default_report_due(ends_on: date) -> date:
    """The execution report is due on 15 Dec of the year the period ends (Shanxi 2023)."""
    return date(ends_on.year, 12, 15)


TRANSITIONS = {("draft", "issued"), ("issued", "closed")}


def check_transition(current: str, wanted: str) -> None:
    if (current, wanted) not in TRANSITIONS:
        raise PlanError(
            PlanErrorCode.INVALID_STATE_CHANGE,
            f"计划期不能由“{PERIOD_STATES[current]}”变为“{PERIOD_STATES[wanted]}”",
            "periodId",
        )


def check_writable(state: str, *, needs_issued: bool = False) -> None:
    if state == "closed":
        raise PlanError(PlanErrorCode.PERIOD_CLOSED, "计划期已关闭，不能再调整", "periodId")
    if needs_issued and state != "issued":
        raise PlanError(
            PlanErrorCode.PERIOD_NOT_ISSUED, "工委下达计划后，名额方可逐级分解", "periodId"
        )


#: The free-text inputs of plans as refusals name them.
TEXT_LABELS = {
    "reason": "理由",
    "note": "备注",
    "remark": "备注",
    "name": "名称",
    "documentNo": "文号",
}


def clean_text(
    value: str | None, field: str, code: PlanErrorCode, *, required: bool, limit: int = 500
) -> str | None:
    return text.clean_text(
        value,
        field,
        required=required,
        limit=limit,
        error=PlanError,
        code=code,
        label=TEXT_LABELS[field],
    )


_DOCUMENT = re.compile(r"\S")


def clean_document(document_no: str | None, *, required: bool) -> str | None:
    """A document number such as 晋教工委组〔2023〕23号 (free text, kept as written)."""
    if document_no is not None and _DOCUMENT.search(document_no):
        return clean_text(
            document_no, "documentNo", PlanErrorCode.DOCUMENT_REQUIRED, required=True, limit=100
        )
    if required:
        raise PlanError(PlanErrorCode.DOCUMENT_REQUIRED, "文号为必填项", "documentNo")
    return None
