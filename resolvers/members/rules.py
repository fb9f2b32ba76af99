"""Pure checks of a member's record, shared by ``importMembers`` and the 12371 roster file
(``resolvers/roster12371``): problems come back as data (which item, which code, what to
say), placed by the caller on an input path or on a cell of the file.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from partyplan.resolvers.errors import DomainError
from partyplan.resolvers.text import person_name, storable, unsafe

from .errors import MemberError, MemberErrorCode

CODE_LIMIT = 40
#: How much of a cell's text a message quotes (a hostile cell may hold a megabyte).
QUOTE_LIMIT = 40
#: A member's dates as refusals name them.
DATE_LABELS = {"joined_on": "入党日期", "full_on": "转为正式党员日期", "left_on": "转出或出党日期"}


@dataclass(frozen=True)
class Problem:
    """A refused item of one member: ``item`` is one of ``ITEMS`` (the caller names it as an
    input path or as the file's column)."""

    item: str
    code: StrEnum
    message: str


def quoted(text: str) -> str:
    text = text if storable(text) else text.encode("utf-8", "replace").decode("utf-8")
    text = text.replace("\0", "�")
    return repr(text if len(text) <= QUOTE_LIMIT else text[:QUOTE_LIMIT] + "…")


def member_code(value: str) -> tuple[str, Problem | None]:
    code = " ".join(value.split())
    if not code or len(code) > CODE_LIMIT or " " in code or unsafe(code) is not None:
        return code, Problem(
            "code",
            MemberErrorCode.INVALID_CODE,
            f"党员编号应为 1 至 {CODE_LIMIT} 个字符，不含空格和控制字符",
        )
    return code, None


def member_name(value: str) -> tuple[str, Problem | None]:
    try:
        return person_name(
            value, "name", error=MemberError, code=MemberErrorCode.INVALID_NAME
        ), None
    except DomainError as error:
        return value, Problem("name", MemberErrorCode.INVALID_NAME, error.message)


def member_dates(
    joined_on: date, full_on: date | None, left_on: date | None, today: date
) -> list[Problem]:
    """No date in the future; full membership and leaving not before joining (the table's
    checks, said first as typed errors)."""
    problems = [
        Problem(item, MemberErrorCode.FUTURE_DATE, f"{DATE_LABELS[item]}不能晚于今天")
        for item, value in (("joined_on", joined_on), ("full_on", full_on), ("left_on", left_on))
        if value is not None and value > today
    ]
    for item, value in (("full_on", full_on), ("left_on", left_on)):
        if value is not None and value < joined_on:
            problems.append(
                Problem(
                    item,
                    MemberErrorCode.INVALID_DATES,
                    f"{DATE_LABELS[item]}不能早于入党日期（{joined_on}）",
                )
            )
    return problems


# --- 留党察看 (细则第十四条) --------------------------------------------------------------------

#: The period's dates as refusals name them.
PARTY_PROBATION_LABELS = {
    "party_probation_from": "留党察看起始日期",
    "party_probation_restored_on": "恢复党员权利日期",
}


def under_party_probation(since: date | None, restored_on: date | None, on: date) -> bool:
    """Under 留党察看 on ``on``: the sanction began on or before it and the member's rights were
    not restored by then (restored on ``on`` itself counts as restored)."""
    return since is not None and since <= on and (restored_on is None or restored_on > on)


def party_probation_dates(
    joined_on: date, since: date | None, restored_on: date | None, today: date
) -> list[Problem]:
    """A 留党察看 period as it may be recorded: not in the future, not before joining, and a
    restoration only after a beginning, not before it (the table's checks, said first)."""
    problems = [
        Problem(item, MemberErrorCode.FUTURE_DATE, f"{PARTY_PROBATION_LABELS[item]}不能晚于今天")
        for item, value in (
            ("party_probation_from", since),
            ("party_probation_restored_on", restored_on),
        )
        if value is not None and value > today
    ]
    if since is not None and since < joined_on:
        problems.append(
            Problem(
                "party_probation_from",
                MemberErrorCode.INVALID_DATES,
                f"留党察看起始日期不能早于入党日期（{joined_on}）",
            )
        )
    if restored_on is not None and since is None:
        problems.append(
            Problem(
                "party_probation_restored_on",
                MemberErrorCode.INVALID_DATES,
                "未填写留党察看起始日期，不能填写恢复党员权利日期",
            )
        )
    elif restored_on is not None and since is not None and restored_on < since:
        problems.append(
            Problem(
                "party_probation_restored_on",
                MemberErrorCode.INVALID_DATES,
                f"恢复党员权利日期不能早于留党察看起始日期（{since}）",
            )
        )
    return problems
