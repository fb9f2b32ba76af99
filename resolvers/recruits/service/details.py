"""Changing a recruit's details: what its record says about the person beyond its identity.

The identity — the ID number, and the birth date and gender it encodes — is what a recruit is
found by and what every check of its steps was made against: it is not a detail and does not
change here. Nor do the steps (recorded and corrected by their own operations). What may change:
name, ethnicity, phone, category, education, professional title, high-knowledge group, talent
programme and the 12371 identifier; each through the same check as at creation, audited with
what it was and what it became (the phone masked, never in clear).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from partyplan.auth.permissions import Permission
from partyplan.resolvers.audit import repository as audit
from partyplan.resolvers.errors import ValidationErrors
from partyplan.tenants.session import Session

from .. import repository
from ..errors import RecruitError, RecruitErrorCode
from ..pii import PiiCipher
from ..rules import identity
from .records import PHONE_CONTEXT, Person, _check_person, _text, visible

#: Column → the input field its problems are named by.
DETAILS: Mapping[str, str] = {
    "name": "name",
    "ethnicity": "ethnicity",
    "phone": "phone",
    "category": "category",
    "education": "education",
    "professional_title": "professionalTitle",
    "high_knowledge": "highKnowledge",
    "talent_programme": "talentProgramme",
    "code_12371": "code12371",
}
CODE_12371_MAX_LENGTH = 64


def check_code_12371(code: str) -> str:
    """The national system's identifier of the person: 1–64 printable characters, no space."""
    value = code.strip()
    if not 0 < len(value) <= CODE_12371_MAX_LENGTH or not value.isprintable() or " " in value:
        raise RecruitError(
            RecruitErrorCode.INVALID_TEXT,
            f"12371 系统编号须为 1 至 {CODE_12371_MAX_LENGTH} 个可打印字符，不含空格",
            DETAILS["code_12371"],
        )
    return value


def checked_person(person: Person, application_date: date, today: date) -> Person:
    """``person`` checked and normalised exactly as creating the recruit would (every problem at
    once, named by its field): what a stored record is compared with."""
    return _check_person(person, application_date, today)


_CHECKS = {
    "name": identity.check_name,
    "ethnicity": identity.check_ethnicity,
    "phone": lambda v: None if v is None else identity.check_phone(v),
    "professional_title": lambda v: _text(v, DETAILS["professional_title"]),
    "talent_programme": lambda v: _text(v, DETAILS["talent_programme"]),
    "code_12371": lambda v: None if v is None else check_code_12371(v),
}


def checked_details(changes: Mapping[str, Any]) -> dict[str, Any]:
    """``changes`` normalised as creation normalises them; every problem reported at once."""
    unknown = set(changes) - DETAILS.keys()
    if unknown:
        raise ValueError(f"not a recruit's detail: {sorted(unknown)}")
    checked: dict[str, Any] = {}
    errors: list[RecruitError] = []
    for column, value in changes.items():
        try:
            checked[column] = _CHECKS.get(column, lambda v: v)(value)
        except RecruitError as error:
            errors.append(error)
    if errors:
        raise ValidationErrors(errors)  # type: ignore[arg-type]
    return checked


async def update_details(
    session: Session, cipher: PiiCipher, *, recruit_id: int, changes: Mapping[str, Any]
) -> sa.Row:
    """Set the recruit's details named in ``changes`` (columns of :data:`DETAILS`; a phone of
    None removes it). Only what differs is written and audited (``updateRecruit``); nothing
    differing writes nothing. ``recruit.record`` at the recruit's branch. A 12371 identifier
    another recruit holds is refused (DUPLICATE_CODE_12371), also when that recruit lies
    outside the caller's scope: the unique index decides, so call this in a savepoint."""
    recruit = await visible(
        session, recruit_id, Permission.RECRUIT_RECORD, lock=True, with_pii=True
    )
    checked = checked_details(changes)
    current = dict(recruit._mapping)
    if recruit.phone_enc is not None:
        current["phone"] = cipher.decrypt(recruit.phone_enc, context=PHONE_CONTEXT)
    else:
        current["phone"] = None
    differing = {c: v for c, v in checked.items() if current[c] != v}
    if not differing:
        return recruit
    values = {c: v for c, v in differing.items() if c != "phone"}
    if "phone" in differing:
        phone = differing["phone"]
        values["phone_enc"] = (
            None if phone is None else cipher.encrypt(phone, context=PHONE_CONTEXT)
        )
        values["phone_masked"] = None if phone is None else identity.mask_phone(phone)
    try:
        row = await repository.update_details(session, recruit.id, values)
    except IntegrityError as error:  # only code_12371 is unique among the details
        raise RecruitError(
            RecruitErrorCode.DUPLICATE_CODE_12371,
            "该 12371 系统编号已被其他人员使用",
            DETAILS["code_12371"],
        ) from error

    def shown(source: Any, column: str) -> Any:
        return source.phone_masked if column == "phone" else getattr(source, column)

    await audit.append(
        session,
        operation="updateRecruit",
        object_type="Recruit",
        object_id=row.id,
        unit_id=row.branch_id,
        school_id=row.school_id,
        before={c: shown(recruit, c) for c in differing},
        after={c: shown(row, c) for c in differing},
    )
    return row


__all__ = ["DETAILS", "check_code_12371", "checked_details", "checked_person", "update_details"]
