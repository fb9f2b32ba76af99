"""Spot checks: commit, draw, record findings, follow them up.

Access. A check belongs to its commission: committed and drawn with ``report.review`` there
(the commission's organization department), read with ``recruit.read`` anywhere along its tree
(a school sees the commitment and, once drawn, the seed). Candidates and records are seen only
where their recruits' branches are: a school sees its own, never another school's (NOT_FOUND).
A record's findings and its closing are the commission's (``report.review``); the follow-up is
the school's (``recruit.record`` at the recruit's branch).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from decimal import Decimal

import sqlalchemy as sa

from partyplan.auth.errors import NotFound
from partyplan.auth.permissions import Permission
from partyplan.auth.principal import is_within
from partyplan.resolvers.audit import repository as audit
from partyplan.resolvers.paging import Keyset, Page
from partyplan.resolvers.recruits.rules.national import NATIONAL_TABLES
from partyplan.resolvers.recruits.rules.steps import STEP_BY_CODE
from partyplan.resolvers.text import clean_text
from partyplan.resolvers.units.service import listing_scope
from partyplan.resolvers.units.service import visible as visible_unit
from partyplan.tenants.session import Session

from . import repository, rules
from .errors import SpotCheckError, SpotCheckErrorCode

NO_CHECK = "未找到该抽查"
NO_RECORD = "该抽查记录"


def _text(value: str | None, field: str, label: str, *, required: bool, limit: int = 1000):  # type: ignore[no-untyped-def]
    return clean_text(
        value,
        field,
        required=required,
        limit=limit,
        error=SpotCheckError,
        code=SpotCheckErrorCode.INVALID_TEXT,
        label=label,
    )


def _along(session: Session, path: str, missing: str) -> None:
    """Commission-wide data is seen down the commission's tree: NOT_FOUND unless the caller's
    units lie along ``path``, FORBIDDEN unless it reads recruits there."""
    reached = session.principal.reaches_along(path)
    if not reached:
        raise NotFound(missing)
    reads = session.principal.paths_with(Permission.RECRUIT_READ)
    if not any(is_within(p, path) or is_within(path, p) for p in reads):
        session.require(Permission.RECRUIT_READ, reached[0])


async def visible(session: Session, check_id: int) -> sa.Row:
    """A check seen along its commission's tree with ``recruit.read``."""
    row = await repository.get(session, check_id)
    if row is None:
        raise NotFound(NO_CHECK)
    _along(session, row.commission_path, NO_CHECK)
    return row


async def page(session: Session, commission_id: int, keyset: Keyset) -> Page:
    """A commission's checks. A commission is a root of the tree: its path is its id."""
    _along(session, str(commission_id), "未找到该省委教育工委")
    return await repository.page(session, commission_id, keyset)


async def commit(
    session: Session,
    *,
    commission_id: int,
    name: str,
    seed_sha256: str,
    per_school: int | None,
    share: float | None,
    school_ids: Sequence[int] | None,
) -> sa.Row:
    """Store the seed's hash and freeze the candidate list (the development targets now)."""
    commission = await visible_unit(
        session, commission_id, Permission.REPORT_REVIEW, "commissionId"
    )
    if commission.kind != "commission":
        raise SpotCheckError(
            SpotCheckErrorCode.NOT_A_COMMISSION, "随机抽查由省委教育工委组织", "commissionId"
        )
    title = _text(name, "name", "抽查名称", required=True, limit=200)
    committed = rules.parse_sha256(seed_sha256, "seedSha256")
    per, share_bp = rules.check_size(per_school, share)
    schools = {s.id: s for s in await repository.schools(session, commission.path)}
    chosen = list(schools) if school_ids is None else list(dict.fromkeys(school_ids))
    for index, school_id in enumerate(school_ids or ()):
        if school_id not in schools:
            raise SpotCheckError(
                SpotCheckErrorCode.UNKNOWN_SCHOOL,
                "所列学校不是本工委所属的学校",
                f"schoolIds.{index}",
            )
    if not chosen:
        raise SpotCheckError(SpotCheckErrorCode.UNKNOWN_SCHOOL, "未列出学校", "schoolIds")
    targets = await repository.targets_now(session, chosen)
    if not targets:
        raise SpotCheckError(
            SpotCheckErrorCode.NO_CANDIDATES, "所选学校目前没有发展对象，无从抽查", "schoolIds"
        )
    listed = [rules.Candidate(t.school_id, t.id) for t in targets]
    assert listed == rules.canonical(listed)  # the statement's order is the canonical one
    list_hash = rules.list_sha256(listed)
    check_id = await repository.add_check(
        session,
        {
            "commission_id": commission.id,
            "commission_path": commission.path,
            "name": title,
            "school_ids": None if school_ids is None else sorted(chosen),
            "per_school": per,
            "share": None if share_bp is None else Decimal(share_bp) / 10000,
            "seed_sha256": committed,
            "list_sha256": list_hash,
            "candidate_count": len(targets),
            "committed_by": session.principal.user_id,
        },
    )
    await repository.add_candidates(
        session,
        [
            {
                "check_id": check_id,
                "ordinal": ordinal,
                "recruit_id": t.id,
                "school_id": t.school_id,
                "branch_id": t.branch_id,
                "unit_path": t.unit_path,
                "name": t.name,
            }
            for ordinal, t in enumerate(targets, start=1)
        ],
    )
    await audit.append(
        session,
        operation="commitSpotCheck",
        object_type="SpotCheck",
        object_id=check_id,
        unit_id=commission.id,
        school_id=None,
        before=None,
        after={
            "name": title,
            "seedSha256": committed.hex(),
            "listSha256": list_hash.hex(),
            "candidates": len(targets),
            "perSchool": per,
            "shareBp": share_bp,
            "schools": sorted(chosen),
        },
    )
    return await visible(session, check_id)


async def draw(session: Session, *, check_id: int, seed: str) -> sa.Row:
    """Verify the seed against the commitment, draw, reveal the seed, open one record per drawn
    target."""
    row = await repository.get(session, check_id, lock=True)
    row = session.reach(row, "该抽查", Permission.REPORT_REVIEW, "commission_path")
    if row.state != "committed":
        raise SpotCheckError(
            SpotCheckErrorCode.ALREADY_DRAWN, "该抽查已经抽取，种子已公布", "spotCheckId"
        )
    rules.check_seed(seed, bytes(row.seed_sha256))
    listed = await repository.all_candidates(session, check_id)
    candidates = [rules.Candidate(c.school_id, c.recruit_id) for c in listed]
    # The list read back is the one committed to: nothing can have changed it (migration
    # 0023's trigger), and a difference here would make the draw unverifiable.
    assert rules.list_sha256(candidates) == bytes(row.list_sha256)
    share_bp = None if row.share is None else rules.share_points(row.share)
    drawn = rules.draw(seed, candidates, per_school=row.per_school, share_bp=share_bp)
    await repository.mark_drawn(session, check_id, seed, session.principal.user_id)
    by_recruit = {c.recruit_id: c for c in listed}
    await repository.add_records(
        session,
        [
            {
                "check_id": check_id,
                "ordinal": by_recruit[d.recruit_id].ordinal,
                "recruit_id": d.recruit_id,
                "school_id": d.school_id,
                "branch_id": by_recruit[d.recruit_id].branch_id,
                "unit_path": by_recruit[d.recruit_id].unit_path,
                "name": by_recruit[d.recruit_id].name,
                "rank": d.rank,
                "ticket": d.ticket,
            }
            for d in drawn
        ],
    )
    await audit.append(
        session,
        operation="drawSpotCheck",
        object_type="SpotCheck",
        object_id=check_id,
        unit_id=row.commission_id,
        school_id=None,
        before={"state": "committed"},
        after={
            "state": "drawn",
            "seed": seed,
            "algorithm": rules.ALGORITHM,
            "perSchool": dict(Counter(str(d.school_id) for d in drawn)),
            "drawn": [d.recruit_id for d in drawn],
        },
    )
    return await visible(session, check_id)


async def candidates_page(
    session: Session, check: sa.Row, *, school_id: int | None, keyset: Keyset
) -> Page:
    """The check's candidates the caller reads (a school: its own)."""
    read_paths = session.principal.paths_with(Permission.RECRUIT_READ)
    return await repository.candidates_page(
        session, check.id, read_paths=read_paths, school_id=school_id, keyset=keyset
    )


async def records_page(
    session: Session,
    *,
    under_id: int | None,
    check_id: int | None,
    follow_up: str | None,
    keyset: Keyset,
) -> Page:
    read_paths, under = await listing_scope(session, under_id, Permission.RECRUIT_READ)
    if check_id is not None:
        await visible(session, check_id)
    return await repository.records_page(
        session,
        read_paths=read_paths,
        under=under,
        check_id=check_id,
        follow_up=follow_up,
        keyset=keyset,
    )


async def visible_record(
    session: Session, record_id: int, permission: Permission, *, lock: bool = False
) -> sa.Row:
    row = await repository.record(session, record_id, lock=lock)
    return session.reach(row, NO_RECORD, permission)


def _snapshot(row: sa.Row) -> dict[str, object]:
    keys = ("finding", "step_code", "rule_id", "finding_note", "follow_up", "follow_up_note")
    return {k: getattr(row, k) for k in (*keys, "closing_note")}


async def _cited_rule(session: Session, recruit_id: int, rule_id: str) -> str | None:
    """The article of the rule cited: a national rule's, or that of a rule (a local one too)
    a finding on the recruit names; INVALID_FINDING for any other id."""
    for version in NATIONAL_TABLES.versions:
        for rule in version.table.rules:
            if rule.id == rule_id:
                return rule.article
    if rule_id in await repository.finding_rules(session, recruit_id):
        return None
    raise SpotCheckError(
        SpotCheckErrorCode.INVALID_FINDING,
        f"规则“{rule_id}”不在规则表中，也不是该发展对象已有记录所依据的规则",
        "ruleId",
    )


async def record_finding(
    session: Session,
    *,
    record_id: int,
    finding: str,
    step: str | None,
    rule_id: str | None,
    note: str | None,
) -> sa.Row:
    """No issue, or an issue citing the step and the rule. Revisable until followed up."""
    row = await visible_record(session, record_id, Permission.REPORT_REVIEW, lock=True)
    if row.follow_up in ("followed_up", "closed"):
        raise SpotCheckError(
            SpotCheckErrorCode.WRONG_STATE,
            f"该抽查记录{rules.FOLLOW_UP_LABELS[row.follow_up]}，不能再改动抽查结论",
            "recordId",
        )
    if finding not in ("no_issue", "issue"):
        raise SpotCheckError(
            SpotCheckErrorCode.INVALID_FINDING, "抽查结论应为未发现问题或发现问题", "finding"
        )
    issue = finding == "issue"
    text = _text(note, "note", "抽查意见", required=issue)
    values: dict[str, object] = {"finding": "no_issue", "step_code": None, "rule_id": None}
    values |= {"article": None, "follow_up": "none"}
    if issue:
        code = (step or "").strip().lower()
        if code not in STEP_BY_CODE:
            raise SpotCheckError(
                SpotCheckErrorCode.INVALID_FINDING, "请注明存在问题的发展程序步骤", "step"
            )
        cited = (rule_id or "").strip()
        if not cited:
            raise SpotCheckError(SpotCheckErrorCode.INVALID_FINDING, "请注明所依据的规则", "ruleId")
        article = await _cited_rule(session, row.recruit_id, cited)
        values = {"finding": "issue", "step_code": code, "rule_id": cited, "article": article}
        values["follow_up"] = "open"
    values |= {"finding_note": text, "found_by": session.principal.user_id}
    await repository.update_record(session, row.id, {**values, "found_at": sa.func.now()})
    after = await repository.record(session, row.id)
    assert after is not None
    await _audit(session, "recordSpotCheckFinding", row, after)
    return after


async def follow_up(session: Session, *, record_id: int, note: str | None) -> sa.Row:
    """The school reports what it did about an issue: open → followed up."""
    row = await visible_record(session, record_id, Permission.RECRUIT_RECORD, lock=True)
    if row.follow_up != "open":
        raise _state(row, "只有待整改的抽查问题才能报告整改情况")
    text = _text(note, "note", "整改情况", required=True)
    values = {"follow_up": "followed_up", "follow_up_note": text}
    values |= {"followed_up_by": session.principal.user_id}
    await repository.update_record(session, row.id, {**values, "followed_up_at": sa.func.now()})
    after = await repository.record(session, row.id)
    assert after is not None
    await _audit(session, "followUpSpotCheck", row, after)
    return after


async def close(session: Session, *, record_id: int, note: str | None) -> sa.Row:
    """The commission accepts the follow-up: followed up → closed."""
    row = await visible_record(session, record_id, Permission.REPORT_REVIEW, lock=True)
    if row.follow_up != "followed_up":
        raise _state(row, "只有已报告整改情况的抽查问题才能销号")
    text = _text(note, "note", "销号意见", required=False)
    values = {"follow_up": "closed", "closing_note": text, "closed_by": session.principal.user_id}
    await repository.update_record(session, row.id, {**values, "closed_at": sa.func.now()})
    after = await repository.record(session, row.id)
    assert after is not None
    await _audit(session, "closeSpotCheck", row, after)
    return after


def _state(row: sa.Row, message: str) -> SpotCheckError:
    label = rules.FOLLOW_UP_LABELS[row.follow_up]
    return SpotCheckError(SpotCheckErrorCode.WRONG_STATE, f"{message}（当前：{label}）", "recordId")


async def _audit(session: Session, operation: str, before: sa.Row, after: sa.Row) -> None:
    await audit.append(
        session,
        operation=operation,
        object_type="SpotCheckRecord",
        object_id=after.id,
        unit_id=after.branch_id,
        school_id=after.school_id,
        before=_snapshot(before),
        after=_snapshot(after),
    )
