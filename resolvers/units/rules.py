"""Pure rules of the unit tree (no I/O).

Shape: commission → school → committees (党委/党总支, any depth) → branch (党支部, a leaf).
Schools hang under a commission; committees and branches under a school or a committee.
"""

from __future__ import annotations

import re

from partyplan.auth.principal import is_within
from partyplan.resolvers.text import unsafe

from .errors import UnitError, UnitErrorCode

MAX_NAME_LENGTH = 100
_CODE = re.compile(r"^[0-9A-Za-z][0-9A-Za-z._-]{0,39}$")

#: The kinds as refusals name them.
KIND_LABELS = {
    "commission": "省委教育工委",
    "school": "学校党委",
    "committee": "院系党委（党总支）",
    "branch": "党支部",
}

ALLOWED_PARENTS: dict[str, frozenset[str]] = {
    "school": frozenset({"commission"}),
    "committee": frozenset({"school", "committee"}),
    "branch": frozenset({"school", "committee"}),
}


def clean_name(name: str) -> str:
    cleaned = " ".join(name.split())
    if not cleaned:
        raise UnitError(UnitErrorCode.INVALID_NAME, "名称不能为空", "name")
    if len(cleaned) > MAX_NAME_LENGTH:
        raise UnitError(
            UnitErrorCode.INVALID_NAME, f"名称不能超过 {MAX_NAME_LENGTH} 个字符", "name"
        )
    problem = unsafe(cleaned)
    if problem is not None:
        raise UnitError(UnitErrorCode.INVALID_NAME, f"名称{problem}", "name")
    return cleaned


def clean_code(code: str | None) -> str | None:
    """Official organization code: optional; letters, digits, '.', '_' or '-', at most 40."""
    if code is None or not code.strip():
        return None
    code = code.strip()
    if not _CODE.match(code):
        raise UnitError(
            UnitErrorCode.INVALID_CODE,
            "组织代码只能由字母、数字和“.”“_”“-”组成，不超过 40 个字符",
            "code",
        )
    return code


def inactive(unit_name: str) -> str:
    """The message of every refusal to act at a deactivated unit, whichever domain refuses."""
    return f"{unit_name}已停用"


def _kind(kind: str) -> str:
    return KIND_LABELS.get(kind, kind)


def check_placement(kind: str, parent_kind: str, field: str = "parentId") -> None:
    allowed = ALLOWED_PARENTS.get(kind)
    if allowed is None:
        raise UnitError(UnitErrorCode.INVALID_KIND, f"不能在此新建{_kind(kind)}", "kind")
    if parent_kind not in allowed:
        raise UnitError(
            UnitErrorCode.INVALID_PARENT,
            f"{_kind(kind)}不能设在{_kind(parent_kind)}之下",
            field,
        )


def check_move(
    unit_kind: str,
    unit_path: str,
    unit_school: int | None,
    parent_kind: str,
    parent_path: str,
    parent_school: int | None,
) -> None:
    if unit_kind in ("commission", "school"):
        raise UnitError(UnitErrorCode.INVALID_KIND, f"{_kind(unit_kind)}不能调整隶属关系", "unitId")
    if is_within(parent_path, unit_path):
        raise UnitError(
            UnitErrorCode.MOVE_INTO_OWN_SUBTREE,
            "不能将党组织调整到其自身或其下级党组织之下",
            "newParentId",
        )
    if unit_school != parent_school:
        raise UnitError(
            UnitErrorCode.CROSS_SCHOOL_MOVE, "党组织只能在本校范围内调整隶属关系", "newParentId"
        )
    check_placement(unit_kind, parent_kind, "newParentId")
