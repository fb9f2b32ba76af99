"""The layout of a 12371 member export (党员信息), pure: which headers, which items, how a
row's cells become a checked member, how a branch's name becomes one unit of the school
(docs/12371-members.md). The reader hands cell texts in, the service the school's branches.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date

from partyplan.resolvers.imports12371.errors import ImportErrorCode, no_such_date
from partyplan.resolvers.members.errors import MemberErrorCode
from partyplan.resolvers.members.rules import (
    Problem,
    member_code,
    member_dates,
    member_name,
    quoted,
)

# --- the 12371 member export's layout ---------------------------------------------------------------

#: The sheet read first; else the first sheet, if its headers are a roster's.
SHEET_TITLE = "党员"
#: Non-empty rows searched for the header row (a title or notice may stand above it).
HEADER_SEARCH_ROWS = 5

#: Header → item. Synonyms name the same item: a sheet may have one of them, not two.
USED_HEADERS: Mapping[str, str] = {
    "人员编号": "code",
    "党员编号": "code",
    "党员编码": "code",
    "姓名": "name",
    "所在党支部": "branch",
    "所在党组织": "branch",
    "入党日期": "joined_on",
    "转为正式党员日期": "full_on",
    "转正日期": "full_on",
    "离开日期": "left_on",
    "出党日期": "left_on",
    "党籍状态": "status",
}
#: Items a sheet must have a column for, and how a problem names the missing one.
REQUIRED_ITEMS = ("code", "name", "branch", "joined_on")
#: The personal columns of a 12371 member export, accepted and ignored: the roster keeps no
#: ID number, no contact details and no personal data beyond the name.
IGNORED_HEADERS = (
    "序号",
    "性别",
    "民族",
    "公民身份号码",
    "身份证号码",
    "出生日期",
    "籍贯",
    "学历",
    "学位",
    "人员类别",
    "党员类别",
    "党员类型",
    "工作岗位",
    "职务",
    "所在单位",
    "联系电话",
    "手机号码",
    "固定电话",
    "家庭住址",
    "入党时所在支部",
    "党龄",
    "备注",
)
#: Every header a sheet may have → its item; an ignored column is an item of its own (named
#: after its header, so two of them are two columns, and the same one twice is a duplicate).
LABELS: Mapping[str, str] = {
    **USED_HEADERS,
    **{header: f"ignored:{header}" for header in IGNORED_HEADERS},
}
#: 党籍状态 when the member stands: any other status (出党, 停止党籍...) needs the date the
#: member left, or the roster would hold them as a member in good standing.
STANDING_STATUS = "正常"
#: 党籍状态 values of a member who stands all the same: 留党察看 is a sanction, not a departure
#: (the period's dates, which the export does not carry, are set by setMemberPartyProbation;
#: 细则第十四条 bars such a member from introducing until restored).
STANDING_STATUSES = frozenset({STANDING_STATUS, "留党察看"})

_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


def headers_of(item: str) -> str:
    """The headers that give ``item``, as a message lists them (``人员编号/党员编号/党员编码``)."""
    return "/".join(h for h, i in USED_HEADERS.items() if i == item)


def looks_like_headers(texts: Iterable[str], key: Callable[[str], str]) -> bool:
    """A row naming a code column and 姓名: the header row of a roster (``key`` is how
    headers compare: the reader's)."""
    known = {key(header): item for header, item in USED_HEADERS.items()}
    items = {known.get(key(text)) for text in texts}
    return "code" in items and "name" in items


def missing_items(items: Iterable[str]) -> list[str]:
    present = set(items)
    return [item for item in REQUIRED_ITEMS if item not in present]


@dataclass(frozen=True)
class MemberLine:
    """A member as a row of the file gives them, checked; the branch still a name."""

    code: str
    name: str
    branch: str
    joined_on: date
    full_on: date | None
    left_on: date | None


def text_date(text: str) -> date | str | None:
    """A date cell's text (a real Excel date reaches here as ``YYYY-MM-DD`` too): the date,
    None when empty, else the reason it is none. ASCII digits only: a full-width date is
    refused rather than guessed."""
    if not text:
        return None
    if _DATE.fullmatch(text):
        try:
            return date.fromisoformat(text)
        except ValueError:
            return no_such_date(text)
    return f"{quoted(text)} 不是 YYYY-MM-DD 格式的日期（或设为日期格式的单元格）"


def member_line(cells: Mapping[str, str], today: date) -> tuple[MemberLine | None, list[Problem]]:
    """One data row's cells by item (trimmed text, ``""`` when empty), checked: the member,
    or every problem of the row."""
    problems: list[Problem] = []
    code, problem = member_code(cells.get("code", ""))
    if problem:
        problems.append(problem)
    name, problem = member_name(cells.get("name", ""))
    if problem:
        problems.append(problem)
    branch = " ".join(cells.get("branch", "").split())
    if not branch:
        problems.append(Problem("branch", ImportErrorCode.MISSING_VALUE, "所在党支部为必填项"))
    dates: dict[str, date | None] = {}
    for item in ("joined_on", "full_on", "left_on"):
        parsed = text_date(cells.get(item, ""))
        if isinstance(parsed, str):
            problems.append(Problem(item, ImportErrorCode.INVALID_DATE, parsed))
            parsed = None
        dates[item] = parsed
    joined_on = dates["joined_on"]
    if joined_on is None and not cells.get("joined_on"):
        problems.append(Problem("joined_on", ImportErrorCode.MISSING_VALUE, "入党日期为必填项"))
    status = " ".join(cells.get("status", "").split())
    if status and status not in STANDING_STATUSES and dates["left_on"] is None:
        problems.append(
            Problem(
                "status",
                ImportErrorCode.INVALID_VALUE,
                f"党籍状态为 {quoted(status)} 时须填写{headers_of('left_on')}",
            )
        )
    if joined_on is not None:
        problems += member_dates(joined_on, dates["full_on"], dates["left_on"], today)
    if problems or joined_on is None:
        return None, problems
    return MemberLine(code, name, branch, joined_on, dates["full_on"], dates["left_on"]), []


# --- branches by name ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Branch:
    id: int
    name: str
    path: str
    active: bool


def branches_by_name(branches: Sequence[Branch]) -> dict[str, list[Branch]]:
    named: dict[str, list[Branch]] = {}
    for branch in branches:
        named.setdefault(" ".join(branch.name.split()), []).append(branch)
    return named


def resolve_branch(name: str, named: Mapping[str, list[Branch]]) -> Branch | Problem:
    """The school's one branch or committee of this exact name. Several of that name: the
    active one if only one is; still several (or none active): ambiguous."""
    found = named.get(name, [])
    if len(found) > 1:
        active = [b for b in found if b.active]
        found = active if len(active) == 1 else found
    if len(found) == 1:
        return found[0]
    if not found:
        return Problem(
            "branch",
            MemberErrorCode.UNKNOWN_BRANCH,
            f"本校没有名为 {quoted(name)} 的党支部或党委",
        )
    return Problem(
        "branch",
        MemberErrorCode.AMBIGUOUS_BRANCH,
        f"本校有 {len(found)} 个名为 {quoted(name)} 的党支部或党委：请先将其中一个改名",
    )
