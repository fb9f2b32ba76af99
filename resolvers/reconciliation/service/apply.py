"""``applyReconciliation``: the decisions taken on a report's entries, applied through the
recruits domain's own operations, then the report frozen as evidence.

Resolutions, by the entry's kind:

* ``take_theirs`` (a ``conflicting`` entry): the 12371 values of the named conflicts (all of
  them by default) written here — a detail (name, ethnicity, phone, education, category) by
  ``details.update_details``; the branch by ``transfers.transfer_recruit`` to the school's
  branch of that exact name; a date that is a step's date by ``corrections.correct_step`` (a
  superseding record whose reason names the report), judged by the rules like any correction.
  What is no detail and no step's date (the stage, a step's data, what the ID number decides)
  is refused with what to do instead.
* ``keep_ours`` (any kind): nothing written; the decision recorded.
* ``create_here`` (an ``only_12371`` entry): the recruit created as importRecruits creates one
  (``records.create_recruit``: the application only); the outcome lists the 12371 milestones
  still to be recorded here.

The request owns the transaction: any refusal refuses the whole mutation (every problem found
is reported, up to :data:`MAX_ERRORS`), and the request rolls back what was written. Each
decision that writes runs in a savepoint, so a refused statement does not stop the others
being checked. Then the decisions are written on their entries, the evidence hashed from the
rows as stored (``evidence.py``, read back a batch at a time) and the report set ``applied``
in one statement: from then on the frozen trigger refuses any change to it or its entries.

Access: the report through the caller's scope (another school's: NOT_FOUND), and
``recruit.record`` at its school; each reused operation checks its own permission too (a
transfer needs ``recruit.transfer``, correcting an approval ``recruit.approve``): refused, it is
the decision's FORBIDDEN.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from itertools import islice
from typing import Any

import sqlalchemy as sa

from partyplan.auth.errors import NotFound
from partyplan.auth.permissions import Permission
from partyplan.resolvers.audit import repository as audit
from partyplan.resolvers.errors import DomainError, ValidationErrors
from partyplan.resolvers.exports12371.rules import CHOICE_LABELS
from partyplan.resolvers.recruits.pii import PiiCipher
from partyplan.resolvers.warnings.rules.requirements import ITEMS
from partyplan.tenants.session import Session

from .. import repository
from ..errors import ReconciliationError, ReconciliationErrorCode
from ..evidence import Evidence
from ..rules import STAGE_ITEM
from . import reads
from .resolutions import DATE_STEPS, TAKEABLE, Resolutions, iso, shown

__all__ = ["BATCH", "MAX_ERRORS", "Decision", "apply_report", "check"]

Code = ReconciliationErrorCode

#: Entries read (decided, or hashed) per statement.
BATCH = 1000
#: Errors reported at most; checking stops there.
MAX_ERRORS = 100
#: What to do instead of taking an item that is no detail and no step's date.
_INSTEAD = {
    "stage": "12371 中该人员处于更后的阶段：请在本平台补记缺少的步骤（recordStep），"
    "发展阶段随步骤而定",
    "gender": "性别由公民身份号码确定，不从 12371 采用",
    "birth_date": "出生日期由公民身份号码确定，不从 12371 采用",
    "id_number": "公民身份号码是匹配人员的依据，不从 12371 采用",
}
_STEP_DATA = "属于步骤记录的数据：请更正该步骤（correctStep）或记录该步骤（recordStep）"
#: An entry's kind as a message names it (the kinds of schema/reconciliation/types.py).
_KINDS = {
    "matched": "一致",
    "conflicting": "有字段不一致",
    "only_12371": "仅 12371 有",
    "only_here": "仅本平台有",
}


@dataclass(frozen=True, slots=True)
class Decision:
    ordinal: int
    resolution: str  # take_theirs, keep_ours, create_here
    fields: tuple[str, ...] | None = None  # take_theirs: the items taken (None: every conflict)


def _label(field: str) -> str:
    """An item as a message names it; a name the caller made up, quoted."""
    return ITEMS.get(field) or ("发展阶段" if field == STAGE_ITEM else shown(field))


def _refused(field: str, at: str, theirs: Mapping[str, Any]) -> ReconciliationError | None:
    """Why ``field`` of a conflicting entry cannot be taken from 12371, or None."""
    if field not in TAKEABLE:
        reason = _INSTEAD.get(field) or _STEP_DATA
        return ReconciliationError(Code.FIELD_NOT_APPLICABLE, f"{_label(field)}：{reason}", at)
    value = theirs.get(field)
    if field == "phone":
        return None  # 12371's phone is the encrypted one, an empty cell removes it here
    if field in DATE_STEPS:
        ok = iso(value) is not None
    elif field in CHOICE_LABELS:
        ok = value in CHOICE_LABELS[field]
    else:
        ok = isinstance(value, str) and value != ""
    if not ok:
        return ReconciliationError(
            Code.FIELD_NOT_APPLICABLE,
            f"{_label(field)}：12371 中没有可采用的值，请保留本平台的值",
            at,
        )
    return None


def check(index: int, decision: Decision, entry: Any) -> tuple[dict[str, str], list[DomainError]]:
    """The items a decision takes (each with its place in the input), or why it does not fit
    its entry (pure)."""
    at = f"decisions.{index}"
    resolution = decision.resolution
    if decision.fields is not None and resolution != "take_theirs":
        message = "只有 TAKE_THEIRS（采用 12371 的值）可以指定 fields"
        return {}, [ReconciliationError(Code.DECISION_NOT_APPLICABLE, message, f"{at}.fields")]
    wanted = {"take_theirs": "conflicting", "create_here": "only_12371"}.get(resolution)
    if wanted is not None and entry.kind != wanted:
        return {}, [
            ReconciliationError(
                Code.DECISION_NOT_APPLICABLE,
                f"{resolution.upper()} 只适用于“{_KINDS[wanted]}”的条目，该条目为"
                f"“{_KINDS.get(entry.kind, entry.kind)}”",
                f"{at}.resolution",
            )
        ]
    if resolution != "take_theirs":
        return {}, []
    conflicts = [c["item"] for c in entry.conflicts]
    if decision.fields is None:
        named = [(f, f"{at}.fields") for f in conflicts]
    elif not decision.fields:
        message = "请至少指定一个字段；不填 fields 则采用全部不一致的字段"
        return {}, [ReconciliationError(Code.DECISION_NOT_APPLICABLE, message, f"{at}.fields")]
    else:
        named = [(f, f"{at}.fields.{j}") for j, f in enumerate(decision.fields)]
    taken: dict[str, str] = {}
    errors: list[DomainError] = []
    theirs = entry.theirs or {}
    for field, place in named:
        if field not in conflicts:
            errors.append(
                ReconciliationError(
                    Code.NOT_A_CONFLICT,
                    f"{shown(field)}不是该条目不一致的字段（不一致的字段："
                    f"{'、'.join(f'{c}（{_label(c)}）' for c in conflicts)}）",
                    place,
                )
            )
        elif (refusal := _refused(field, place, theirs)) is not None:
            errors.append(refusal)
        elif field not in taken:
            taken[field] = place
    return taken, errors


def _batches(items: Sequence[Any], size: int) -> Iterator[list[Any]]:
    iterator = iter(items)
    while batch := list(islice(iterator, size)):
        yield batch


async def apply_report(
    session: Session,
    cipher: PiiCipher,
    timezone: str,
    *,
    report_id: int,
    decisions: Sequence[Decision],
) -> int:
    """Apply ``decisions`` to the report and freeze it; the report's id. Refusals are raised
    together (``ValidationErrors``), each at its decision's place in the input."""
    found = await reads.visible(session, report_id, Permission.RECRUIT_RECORD)
    report = await repository.lock_report(session, found.id)
    if report is None:  # pragma: no cover - visible a statement ago, and reports stay
        raise NotFound(reads.NO_REPORT)
    if report.status != "open":
        raise ReconciliationError(
            Code.REPORT_APPLIED,
            "该核对报告已处理并已冻结：请重新导入文件",
            "reportId",
        )
    errors: list[DomainError] = []
    first: dict[int, int] = {}
    pending: list[tuple[int, Decision]] = []
    for index, decision in enumerate(decisions):
        if decision.ordinal in first:
            errors.append(
                ReconciliationError(
                    Code.DUPLICATE_DECISION,
                    f"条目 {decision.ordinal} 已有处理（第 {first[decision.ordinal] + 1} 项）",
                    f"decisions.{index}.ordinal",
                )
            )
        else:
            first[decision.ordinal] = index
            pending.append((index, decision))
    state = Resolutions(session, cipher, timezone, report)
    counts: Counter[str] = Counter()
    for batch in _batches(pending, BATCH):
        if len(errors) >= MAX_ERRORS:
            break
        rows = await repository.entries_by_ordinal(
            session, report.id, [d.ordinal for _, d in batch]
        )
        by_ordinal = {row.ordinal: row for row in rows}
        written = []
        for index, decision in batch:
            entry = by_ordinal.get(decision.ordinal)
            if entry is None:
                errors.append(
                    ReconciliationError(
                        Code.UNKNOWN_ENTRY,
                        f"核对报告中没有条目 {decision.ordinal}",
                        f"decisions.{index}.ordinal",
                    )
                )
                continue
            places, refusals = check(index, decision, entry)
            if refusals:
                errors += refusals
                continue
            try:
                outcome = await _decide(state, index, decision, entry, places)
            except ValidationErrors as failure:
                errors += failure.errors
                continue
            except DomainError as failure:
                errors.append(failure)
                continue
            counts[decision.resolution] += 1
            written.append(
                {
                    "ordinal": entry.ordinal,
                    "decision": decision.resolution,
                    "decided_fields": list(places)
                    if decision.resolution == "take_theirs"
                    else None,
                    "outcome": outcome,
                }
            )
        if not errors:
            await repository.write_decisions(session, report.id, written)
    if errors:
        raise ValidationErrors(errors[:MAX_ERRORS])
    applied_at = await repository.transaction_time(session)
    applied_by = session.principal.user_id
    digest = await _evidence(
        session, report, status="applied", applied_by=applied_by, applied_at=applied_at
    )
    await repository.mark_applied(
        session, report.id, applied_by=applied_by, applied_at=applied_at, evidence=digest
    )
    await audit.append(
        session,
        operation="applyReconciliation",
        object_type="ReconciliationReport",
        object_id=report.id,
        unit_id=report.school_id,
        school_id=report.school_id,
        before={"status": report.status},
        after={
            "reportId": report.id,
            "evidenceSha256": digest.hex(),
            "decisions": {r: counts[r] for r in ("take_theirs", "keep_ours", "create_here")},
        },
    )
    return report.id


async def _decide(
    state: Resolutions, index: int, decision: Decision, entry: Any, places: Mapping[str, str]
) -> dict[str, Any] | None:
    """One decision's writes, in a savepoint: refused, they are undone at once, so the
    transaction stays usable for checking the decisions after it."""
    if decision.resolution == "keep_ours":
        return None
    at = f"decisions.{index}"
    savepoint = await state.session.conn.begin_nested()
    try:
        if decision.resolution == "take_theirs":
            outcome = await state.take_theirs(at, entry, places)
        else:
            outcome = await state.create_here(at, entry)
    except BaseException:
        await savepoint.rollback()
        raise
    await savepoint.commit()
    return outcome


async def _evidence(session: Session, report: sa.Row, **applied: Any) -> bytes:
    """The evidence of the report as it will be stored once applied, its entries read back as
    written, a batch at a time."""
    built = Evidence()
    after = 0
    while True:
        rows = await repository.evidence_entries(session, report.id, after=after, limit=BATCH)
        built.add(row._mapping for row in rows)
        if len(rows) < BATCH:
            break
        after = rows[-1].ordinal
    return built.digest({**report._mapping, **applied})
