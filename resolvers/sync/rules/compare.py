"""How a record compares with the recruit it is matched to.

How a record's steps meet the recorded ones (:func:`plan_steps`): for each step code, a sent step
recorded on the same date is the same step (unchanged when its data are equal, their keys in
either spelling: ``recruits/rules/data_keys.py``; a conflict when not); the sent steps left over
meet the recorded steps left over in date order, and each such pair is a conflict (a recorded
step with another date is a correction, a human decision); sent steps beyond those are new,
recorded in date order. Recorded steps the record does not name stay.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from partyplan.resolvers.recruits.rules.data_keys import normalise
from partyplan.resolvers.recruits.service.records import Person

from ..errors import SyncError, SyncErrorCode
from .request import SyncRecord, SyncStep

#: The details a record may change on its recruit (resolvers/recruits/service/details.py),
#: by column; the optional ones change only when the record holds a value (null: not sent).
CHANGEABLE = ("name", "ethnicity", "category", "education", "high_knowledge")
OPTIONAL = ("phone", "professional_title", "talent_programme")


def identity_conflicts(
    current: Mapping[str, Any],
    lookups: Sequence[bytes],
    branch_id: int,
    record: SyncRecord,
    person: Person,
) -> list[SyncError]:
    """What the record says otherwise than the recruit it was matched to, that a sync may not
    change: who the person is, where the record stands, when it began. ``lookups``: the
    record's ID number hashed under each PII key version held."""
    conflicts = []
    if bytes(current["id_number_hash"]) not in lookups:
        conflicts.append(
            SyncError(
                SyncErrorCode.ID_NUMBER_MISMATCH,
                "具有该 12371 系统编号的人员记录的公民身份号码与此不同",
                "idNumber",
            )
        )
    code = record.code_12371
    if code is not None and current["code_12371"] not in (None, code):
        conflicts.append(
            SyncError(
                SyncErrorCode.CODE_MISMATCH,
                "具有该公民身份号码的人员已有另一个 12371 系统编号",
                "code12371",
            )
        )
    for column, field, label in (
        ("gender", "gender", "性别"),
        ("birth_date", "birthDate", "出生日期"),
    ):
        if current[column] != getattr(person, column):
            conflicts.append(
                SyncError(SyncErrorCode.IDENTITY_MISMATCH, f"已记录的{label}与此不同", field)
            )
    if current["branch_id"] != branch_id:
        conflicts.append(
            SyncError(
                SyncErrorCode.BRANCH_MISMATCH,
                "该人员隶属于另一党支部：变更党支部须办理转接（transferRecruit）",
                "branchId",
            )
        )
    if current["applied_on"] != record.application_date:
        conflicts.append(
            SyncError(
                SyncErrorCode.STEP_CONFLICT,
                f"申请入党日期已记录为 {current['applied_on']}：修改须通过更正（correctStep），"
                "而非同步",
                "applicationDate",
            )
        )
    return conflicts


def detail_changes(
    current: Mapping[str, Any], person: Person, code_12371: str | None
) -> dict[str, Any]:
    """The details to write: those the record holds otherwise than the recruit (``current``,
    its phone in clear under ``phone``)."""
    changes = {c: getattr(person, c) for c in CHANGEABLE if current[c] != getattr(person, c)}
    for column in OPTIONAL:
        value = getattr(person, column)
        if value is not None and current[column] != value:
            changes[column] = value
    if code_12371 is not None and current["code_12371"] is None:
        changes["code_12371"] = code_12371
    return changes


@dataclass(frozen=True)
class Recorded:
    step_code: str
    on: date
    data: Any


def plan_steps(
    sent: Sequence[SyncStep], recorded: Sequence[Recorded]
) -> tuple[list[tuple[int, SyncStep]], list[SyncError]]:
    """(the steps to record as (index in ``sent``, step), in date order; the conflicts), as the
    module's docstring says."""
    order = sorted(range(len(sent)), key=lambda m: sent[m].on)
    pools: dict[str, list[Recorded]] = {}
    for step in sorted(recorded, key=lambda r: r.on):
        pools.setdefault(step.step_code, []).append(step)
    conflicts: list[SyncError] = []
    unmatched = []
    for m in order:
        step = sent[m]
        pool = pools.get(step.step_code, [])
        same = next((r for r in pool if r.on == step.on), None)
        if same is None:
            unmatched.append(m)
            continue
        pool.remove(same)
        sent_data = (
            normalise(step.step_code, step.data).data
            if isinstance(step.data, Mapping)
            else step.data
        )
        if same.data != sent_data:
            conflicts.append(
                SyncError(
                    SyncErrorCode.STEP_CONFLICT,
                    "该日期已记录此步骤，但数据不同：修改须通过更正（correctStep），而非同步",
                    f"steps.{m}.data",
                )
            )
    new = []
    for m in unmatched:
        step = sent[m]
        pool = pools.get(step.step_code, [])
        if pool:
            other = pool.pop(0)
            conflicts.append(
                SyncError(
                    SyncErrorCode.STEP_CONFLICT,
                    f"该步骤已记录于 {other.on}：改为其他日期须通过更正（correctStep），而非同步",
                    f"steps.{m}.on",
                )
            )
        else:
            new.append((m, step))
    return new, conflicts
