"""Pure checks of an annulment: what may be annulled, and when (no I/O; "today" passed in)."""

from __future__ import annotations

from datetime import date

from .errors import AnnulmentError, AnnulmentErrorCode


def check_annullable(approved_on: date | None, annulled_on: date | None) -> None:
    """Only an admission (step 17 recorded) may be annulled, and only once."""
    if approved_on is None:
        raise AnnulmentError(
            AnnulmentErrorCode.NOT_ADMITTED,
            "该人员尚未被接收为预备党员，没有可不予承认的发展",
            "recruitId",
        )
    if annulled_on is not None:
        raise AnnulmentError(
            AnnulmentErrorCode.ALREADY_ANNULLED,
            f"该人员的入党已于 {annulled_on.isoformat()} 宣布不予承认，不能重复处理",
            "recruitId",
        )


def check_decision_date(decided_on: date, approved_on: date, today: date) -> None:
    """The decision is dated between the approval it annuls and today (inclusive)."""
    if decided_on > today:
        raise AnnulmentError(
            AnnulmentErrorCode.INVALID_DATE, "不予承认的决定日期不能晚于今天", "annulledOn"
        )
    if decided_on < approved_on:
        raise AnnulmentError(
            AnnulmentErrorCode.INVALID_DATE,
            f"不予承认的决定日期不能早于接收预备党员的审批日期（{approved_on.isoformat()}）",
            "annulledOn",
        )


def closed_period_problem(names: list[str]) -> AnnulmentError | None:
    """The refusal when a period containing the approval is closed (its figures are frozen,
    and an annulment must stop the admission counting in every period of its date)."""
    if not names:
        return None
    return AnnulmentError(
        AnnulmentErrorCode.PERIOD_CLOSED,
        f"该发展所在的计划期（{'、'.join(names)}）已关闭，统计已封存，不能再宣布不予承认",
        "recruitId",
    )
