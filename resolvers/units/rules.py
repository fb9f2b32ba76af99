"""Pure rules of the unit tree (no I/O).

Shape: commission → school → committees (党委/党总支, any depth) → branch (党支部, a leaf).
Schools hang under a commission; committees and branches under a school or a committee.
"""

from __future__ import annotations

import re

from partyplan.auth.principal import is_within

from .errors import UnitError, UnitErrorCode

MAX_NAME_LENGTH = 100
_CODE = re.compile(r"^[0-9A-Za-z][0-9A-Za-z._-]{0,39}$")

ALLOWED_PARENTS: dict[str, frozenset[str]] = {
    "school": frozenset({"commission"}),
    "committee": frozenset({"school", "committee"}),
    "branch": frozenset({"school", "committee"}),
}


def clean_name(name: str) -> str:
    cleaned = " ".join(name.split())
    if not cleaned:
        raise UnitError(UnitErrorCode.INVALID_NAME, "the name must not be blank", "name")
    if len(cleaned) > MAX_NAME_LENGTH:
        raise UnitError(
            UnitErrorCode.INVALID_NAME, f"the name exceeds {MAX_NAME_LENGTH} characters", "name"
        )
    return cleaned


def clean_code(code: str | None) -> str | None:
    """Official organization code: optional; letters, digits, '.', '_' or '-', at most 40."""
    if code is None or not code.strip():
        return None
    code = code.strip()
    if not _CODE.match(code):
        raise UnitError(
            UnitErrorCode.INVALID_CODE,
            "the code may hold letters, digits, '.', '_' and '-' (at most 40)",
            "code",
        )
    return code


def check_placement(kind: str, parent_kind: str, field: str = "parentId") -> None:
    allowed = ALLOWED_PARENTS.get(kind)
    if allowed is None:
        raise UnitError(UnitErrorCode.INVALID_KIND, f"a {kind} cannot be created here", "kind")
    if parent_kind not in allowed:
        raise UnitError(
            UnitErrorCode.INVALID_PARENT,
            f"a {kind} cannot be placed under a {parent_kind}",
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
        raise UnitError(UnitErrorCode.INVALID_KIND, f"a {unit_kind} cannot be moved", "unitId")
    if is_within(parent_path, unit_path):
        raise UnitError(
            UnitErrorCode.MOVE_INTO_OWN_SUBTREE,
            "a unit cannot move under itself or its own subtree",
            "newParentId",
        )
    if unit_school != parent_school:
        raise UnitError(
            UnitErrorCode.CROSS_SCHOOL_MOVE, "units move only within their school", "newParentId"
        )
    check_placement(unit_kind, parent_kind, "newParentId")
