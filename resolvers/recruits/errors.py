"""Typed business-rule failures of the recruits domain.

Every :class:`RecruitError` names the GraphQL input field it is about, in camelCase
(``"idNumber"``, ``"birthDate"``, …), so the schema layer can map it to a payload error as is;
a path where the field is nested (``rows.3.idNumber``, ``data.inFavour`` — a step's data key
as the caller spelled it, camelCase or its field spec's snake_case name: ``rules/data_keys.py``).

The code enum is shared by every rules module of the domain (identity, steps, calendar, …):
add new codes at the end of the section they belong to, one per line, value equal to name.
"""

from __future__ import annotations

from enum import StrEnum

from partyplan.resolvers.errors import DomainError

__all__ = ["RecruitError", "RecruitErrorCode", "future_date", "inactive_branch", "not_a_branch"]


class RecruitErrorCode(StrEnum):
    # --- identity (rules/identity.py) ---------------------------------------------------------
    INVALID_ID_NUMBER = "INVALID_ID_NUMBER"
    ID_BIRTH_DATE_MISMATCH = "ID_BIRTH_DATE_MISMATCH"
    ID_GENDER_MISMATCH = "ID_GENDER_MISMATCH"
    INVALID_BIRTH_DATE = "INVALID_BIRTH_DATE"
    INVALID_GENDER = "INVALID_GENDER"
    INVALID_ETHNICITY = "INVALID_ETHNICITY"
    INVALID_NAME = "INVALID_NAME"
    INVALID_PHONE = "INVALID_PHONE"
    UNDERAGE = "UNDERAGE"
    # --- records and steps (service) ----------------------------------------------------------
    DUPLICATE_ID_NUMBER = "DUPLICATE_ID_NUMBER"
    NOT_A_BRANCH = "NOT_A_BRANCH"
    INACTIVE_UNIT = "INACTIVE_UNIT"
    FUTURE_DATE = "FUTURE_DATE"
    RULE_VIOLATION = "RULE_VIOLATION"
    INVALID_TEXT = "INVALID_TEXT"
    STEP_SUPERSEDED = "STEP_SUPERSEDED"
    SAME_BRANCH = "SAME_BRANCH"
    TOO_MANY_ROWS = "TOO_MANY_ROWS"
    UNKNOWN_MEMBER = "UNKNOWN_MEMBER"
    MEMBER_NOT_FULL = "MEMBER_NOT_FULL"
    DUPLICATE_CODE_12371 = "DUPLICATE_CODE_12371"
    DUPLICATE_DATUM = "DUPLICATE_DATUM"
    INTRODUCER_ON_PARTY_PROBATION = "INTRODUCER_ON_PARTY_PROBATION"
    # --- procedure data edited by the commission (procedure_admin.py) ------------------------
    INVALID_CALENDAR = "INVALID_CALENDAR"
    INVALID_OVERLAY = "INVALID_OVERLAY"
    NOT_A_COMMISSION = "NOT_A_COMMISSION"
    INVALID_REGION_CODE = "INVALID_REGION_CODE"
    # --- high-level-talent filings (filings.py) ---------------------------------------------
    FILING_EXISTS = "FILING_EXISTS"
    FILING_NOT_PENDING = "FILING_NOT_PENDING"
    REASON_REQUIRED = "REASON_REQUIRED"


class RecruitError(DomainError):
    """A recruit's data or a step breaks a rule; ``field`` is the camelCase input field."""

    code: RecruitErrorCode

    def __init__(self, code: RecruitErrorCode, message: str, field: str | None = None) -> None:
        super().__init__(code, message, field)


class RowError(RecruitError):
    """A bulk import's error: which row (0-based) and the field, by its whole path from the
    input (``rows.3.idNumber``, ``rows.3.steps.2.on``)."""

    def __init__(self, index: int, code: RecruitErrorCode, message: str, field: str | None) -> None:
        super().__init__(code, message, field)
        self.index = index


# --- refusals several operations give in the same words -------------------------------------


def future_date(field: str) -> RecruitError:
    """A step's or an application's date after today (the caller's today, Asia/Shanghai)."""
    return RecruitError(RecruitErrorCode.FUTURE_DATE, "日期不能晚于今天", field)


def not_a_branch(field: str) -> RecruitError:
    """A recruit placed in a unit that is no branch (or committee: ``RECRUIT_UNIT_KINDS``)."""
    return RecruitError(
        RecruitErrorCode.NOT_A_BRANCH,
        "所选单位不是党支部（或党总支、院系党委）：入党申请人须编入党支部",
        field,
    )


def inactive_branch(field: str) -> RecruitError:
    return RecruitError(RecruitErrorCode.INACTIVE_UNIT, "该党支部已停用", field)
