"""The writes of each resolution of ``applyReconciliation`` (``apply.py`` checks the decisions
and orchestrates): taking 12371's values through the recruits domain's own operations, and
creating a recruit only in 12371 as importRecruits creates one. Every refusal of a reused
operation is raised at the decision's place in the input (``located``)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

import sqlalchemy as sa

from partyplan.auth.errors import Forbidden, NotFound
from partyplan.resolvers.errors import DomainError, ValidationErrors
from partyplan.resolvers.recruits.errors import RecruitErrorCode
from partyplan.resolvers.recruits.pii import PiiCipher
from partyplan.resolvers.recruits.rules.steps import STEP_BY_CODE
from partyplan.resolvers.recruits.service import corrections, details, records, transfers
from partyplan.resolvers.recruits.service.reads import steps_of
from partyplan.resolvers.recruits.service.records import ID_CONTEXT, PHONE_CONTEXT, Person
from partyplan.resolvers.warnings.rules.requirements import ITEMS
from partyplan.tenants.session import Session

from .. import repository
from ..errors import ReconciliationError, ReconciliationErrorCode

__all__ = [
    "BRANCH",
    "DATE_STEPS",
    "DETAIL_ITEMS",
    "TAKEABLE",
    "Resolutions",
    "iso",
    "located",
    "shown",
]

Code = ReconciliationErrorCode

#: The recruit's details a 12371 value may replace (``details.DETAILS`` columns).
DETAIL_ITEMS = ("name", "ethnicity", "phone", "education", "category")
#: The dates that are a step's date, by the step they are the date of.
DATE_STEPS: Mapping[str, str] = {
    "application_date": "application",
    "activist_date": "activist",
    "target_date": "development_target",
    "pre_review": "pre_review",
    "approval": "approval",
    "oath": "oath",
    "conversion_application": "conversion_application",
    "conversion_approval": "conversion_approval",
}
assert set(DATE_STEPS.values()) <= set(STEP_BY_CODE)
assert set(DETAIL_ITEMS) <= set(details.DETAILS)
BRANCH = "branch"
TAKEABLE = frozenset({*DETAIL_ITEMS, BRANCH, *DATE_STEPS})

#: The person's values creating a recruit requires of the 12371 row.
_REQUIRED = ("name", "gender", "ethnicity", "birth_date", "education", "category", "branch")


def _code(code: Any) -> Any:
    """A reused operation's code, as it is: the payload's codes include every recruits code
    (schema/reconciliation/types.py); anything else reads as a rule's refusal."""
    return code if isinstance(code, RecruitErrorCode | Code) else RecruitErrorCode.RULE_VIOLATION


def located(failure: DomainError, where: str, what: str) -> list[ReconciliationError]:
    """A reused operation's refusal as the decision's: at ``where`` in this input, its message
    led by ``what`` the decision was writing (its own message names the field in words)."""
    failures = failure.errors if isinstance(failure, ValidationErrors) else [failure]
    return [ReconciliationError(_code(f.code), f"{what}：{f.message}", where) for f in failures]


def shown(text: str) -> str:
    """A value from the caller or the file, quoted and cut short for a message; what does not
    print (a NUL, a control) shown escaped."""
    cut = "".join(c if c.isprintable() else repr(c)[1:-1] for c in text[:40])
    return f"“{cut}{'…' if len(text) > 40 else ''}”"


def iso(value: Any) -> date | None:
    try:
        return date.fromisoformat(value) if isinstance(value, str) else None
    except ValueError:
        return None


class Resolutions:
    """One application: the report, and what is needed to write a decision."""

    def __init__(self, session: Session, cipher: PiiCipher, timezone: str, report: sa.Row):
        self.session, self.cipher, self.timezone, self.report = session, cipher, timezone, report
        self.reason = f"依据 12371 核对报告 {report.id}"

    async def branch(self, name: Any, at: str) -> int:
        """The school's one branch (or committee) named exactly ``name``: active ones first."""
        found = []
        if isinstance(name, str) and name:
            found = await repository.school_units_named(
                self.session, self.report.school_id, records.RECRUIT_UNIT_KINDS, name
            )
        candidates = [u for u in found if u.active] or found
        if len(candidates) != 1:
            how = "没有" if not candidates else "有不止一个"
            raise ReconciliationError(
                Code.UNKNOWN_BRANCH,
                f"本校{how}名为{shown(str(name or ''))}的党支部（12371 中的所在党支部）",
                at,
            )
        return candidates[0].id

    async def take_theirs(self, at: str, entry: Any, places: Mapping[str, str]) -> dict[str, Any]:
        taken = list(places)
        theirs = entry.theirs or {}
        changes = {f: theirs[f] for f in taken if f in DETAIL_ITEMS and f != "phone"}
        if "phone" in taken:
            enc = entry.phone_enc
            changes["phone"] = (
                None if enc is None else self.cipher.decrypt(bytes(enc), context=PHONE_CONTEXT)
            )
        if changes:
            where = places[next(iter(changes))] if len(changes) == 1 else at
            await self._run(
                details.update_details(
                    self.session, self.cipher, recruit_id=entry.recruit_id, changes=changes
                ),
                where,
                "基本信息",
            )
        if BRANCH in taken:
            target = await self.branch(theirs[BRANCH], places[BRANCH])
            recruit = await self._run(
                records.visible(self.session, entry.recruit_id), places[BRANCH], ITEMS[BRANCH]
            )
            if recruit.branch_id != target:
                await self._run(
                    transfers.transfer_recruit(
                        self.session,
                        recruit_id=entry.recruit_id,
                        to_branch_id=target,
                        reason=self.reason,
                    ),
                    places[BRANCH],
                    ITEMS[BRANCH],
                )
        dates = [f for f in taken if f in DATE_STEPS]
        if dates:
            await self._correct(entry, dates, places)
        return {"changed": taken}

    async def _correct(self, entry: Any, dates: list[str], places: Mapping[str, str]) -> None:
        steps = await steps_of(self.session, [entry.recruit_id])
        current = {s.step_code: s for s in steps}  # the latest of each code
        moves = []
        for item in dates:
            step = current.get(DATE_STEPS[item])
            on = iso(entry.theirs[item])
            if step is None:
                raise ReconciliationError(
                    Code.FIELD_NOT_APPLICABLE,
                    f"{ITEMS[item]}：本平台尚未记录“{STEP_BY_CODE[DATE_STEPS[item]].name}”，"
                    "请先记录该步骤（recordStep）",
                    places[item],
                )
            if on != step.on_date:
                moves.append((item, step, on))
        # Moved later: the latest step first; moved earlier: the earliest first, so each
        # correction keeps the steps in an order the rules accept when the end result does.
        order = {code: index for index, code in enumerate(STEP_BY_CODE)}
        later = sorted(
            (m for m in moves if m[2] > m[1].on_date), key=lambda m: -order[m[1].step_code]
        )
        earlier = sorted(
            (m for m in moves if m[2] < m[1].on_date), key=lambda m: order[m[1].step_code]
        )
        for item, step, on in [*later, *earlier]:
            await self._run(
                corrections.correct_step(
                    self.session,
                    self.timezone,
                    step_id=step.id,
                    on=on,
                    data=dict(step.data),
                    reason=self.reason,
                ),
                places[item],
                ITEMS[item],
            )

    async def create_here(self, at: str, entry: Any) -> dict[str, Any]:
        theirs = entry.theirs or {}
        missing = [i for i in (*_REQUIRED, "application_date") if theirs.get(i) in (None, "")]
        born, applied = iso(theirs.get("birth_date")), iso(theirs.get("application_date"))
        if missing or born is None or applied is None or entry.id_number_enc is None:
            lacking = "、".join(ITEMS[i] for i in missing) or "有效的日期"
            raise ReconciliationError(
                Code.INCOMPLETE_ENTRY,
                f"12371 中缺少在本平台建立记录所需的信息（{lacking}）：请在 12371 中补全后"
                "重新导入，或直接在本平台记录该人员",
                at,
            )
        branch = await self.branch(theirs[BRANCH], at)
        phone = entry.phone_enc
        person = Person(
            name=theirs["name"],
            gender=theirs["gender"],
            ethnicity=theirs["ethnicity"],
            birth_date=born,
            id_number=self.cipher.decrypt(bytes(entry.id_number_enc), context=ID_CONTEXT),
            phone=None
            if phone is None
            else self.cipher.decrypt(bytes(phone), context=PHONE_CONTEXT),
            category=theirs["category"],
            education=theirs["education"],
            professional_title=theirs.get("professional_title"),
            high_knowledge=theirs.get("high_knowledge") is True,
            talent_programme=theirs.get("talent_programme"),
        )
        row = await self._run(
            records.create_recruit(
                self.session,
                self.cipher,
                self.timezone,
                branch_id=branch,
                person=person,
                application_date=applied,
            ),
            at,
            "在本平台建立记录",
        )
        to_record = [
            item
            for item in ITEMS
            if item not in (*_REQUIRED, "application_date", "id_number", "phone")
            and theirs.get(item) not in (None, "", [])
        ]
        return {"recruitId": row.id, "toRecord": to_record}

    async def _run(self, operation: Any, where: str, what: str) -> Any:
        """A reused operation, its refusals placed at ``where``; access refused (or the object
        no longer within reach) is the decision's too."""
        try:
            return await operation
        except DomainError as failure:
            raise ValidationErrors(located(failure, where, what)) from None  # type: ignore[arg-type]
        except Forbidden:
            raise ReconciliationError(
                Code.FORBIDDEN, f"{what}：您的角色无权执行此操作", where
            ) from None
        except NotFound:
            raise ReconciliationError(
                Code.DECISION_NOT_APPLICABLE,
                f"{what}：该人员已不在您的管理范围内",
                where,
            ) from None
