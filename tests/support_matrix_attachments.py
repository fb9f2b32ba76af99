"""Access-matrix rows of attachments (全程纪实) and the archive (档案): ``uploadAttachment``,
``supersedeAttachment``, ``setAttachmentQuota``, ``recruitAttachments``, ``recruitDocuments``,
``recruitArchive``, ``attachmentQuotas``, ``setDocumentExpectation``,
``documentExpectations``."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from support import gid, raw_id
from support_matrix import Case

_PDF = b"%PDF-1.4\n%%EOF\n"

CASES: dict[str, Case] = {
    "uploadAttachment": Case(
        "mutation($f: Upload!, $s: ID!) { uploadAttachment(input: {stepId: $s,"
        " document: APPLICATION_LETTER, file: $f}) { attachment { id } errors { code } } }",
        lambda w, c: {"s": c["recruit_step"], "f": None},
        "branch_secretary",
        ("viewer", "FORBIDDEN"),
        "other_school_admin",
        "recruit.record at the recruit's branch",
        upload=lambda: _PDF,
    ),
    "supersedeAttachment": Case(
        'mutation($a: ID!) { supersedeAttachment(input: {attachmentId: $a, reason: "上传错误"})'
        " { attachment { supersededAt } errors { code } } }",
        lambda w, c: {"a": c["attachment"]},
        "branch_secretary",
        ("viewer", "FORBIDDEN"),
        "other_school_admin",
        "recruit.record at the recruit's branch",
    ),
    "setAttachmentQuota": Case(
        "mutation($s: ID!) { setAttachmentQuota(input: {schoolId: $s, limitBytes: 1e9})"
        " { storage { limitBytes } errors { code } } }",
        lambda w, c: {"s": w.gid("A")},
        "commission_admin",
        ("school_admin", "FORBIDDEN"),
        "other_commission_admin",
        "rule.manage over the school: the commission's administrators",
    ),
    "recruitAttachments": Case(
        "query($r: ID!) { recruitAttachments(recruitId: $r) { id } }",
        lambda w, c: {"r": c["recruit"]},
        "branch_secretary",
        ("nobody", "NOT_FOUND"),
        "other_school_admin",
        "recruit.read at the recruit's branch",
    ),
    "recruitDocuments": Case(
        "query($r: ID!) { recruitDocuments(recruitId: $r) { step expected missing } }",
        lambda w, c: {"r": c["recruit"]},
        "branch_secretary",
        ("nobody", "NOT_FOUND"),
        "other_school_admin",
        "recruit.read at the recruit's branch",
    ),
    "recruitArchive": Case(
        "query($r: ID!) { recruitArchive(recruitId: $r) { path downloadUrl } }",
        lambda w, c: {"r": c["recruit"]},
        "school_admin",
        ("viewer", "FORBIDDEN"),
        "other_school_admin",
        "recruit.read and pii.read at the recruit's branch (the archive holds personal documents)",
    ),
    "attachmentQuotas": Case(
        "query($c: ID!) { attachmentQuotas(commissionId: $c) { schoolName usedBytes } }",
        lambda w, c: {"c": w.gid("commission")},
        "commission_viewer",
        ("school_admin", "NOT_FOUND"),
        "other_commission_admin",
        "unit.read and plan.read at the commission; a school's roles do not reach it",
    ),
    "setDocumentExpectation": Case(
        "mutation($c: ID!) { setDocumentExpectation(input: {commissionId: $c, step: TALK,"
        ' documents: [TALK_RECORD], effectiveFrom: "2027-01-01", source: "通知"})'
        " { expectation { step } errors { code } } }",
        lambda w, c: {"c": w.gid("commission")},
        "commission_admin",
        ("commission_viewer", "FORBIDDEN"),
        "other_commission_admin",
        "rule.manage at the commission",
    ),
    "documentExpectations": Case(
        "query($c: ID!) { documentExpectations(commissionId: $c) { nationalFrom } }",
        lambda w, c: {"c": w.gid("commission")},
        "commission_viewer",
        ("school_admin", "NOT_FOUND"),
        "other_commission_admin",
        "unit.read at the commission; a school's roles do not reach it",
    ),
}

_FIELDS = {"uploadAttachment", "supersedeAttachment"}


async def prepare(
    gql: Any, world: Any, owner_engine: Any, field: str | None, ids: dict[str, str]
) -> dict[str, str]:
    if field not in _FIELDS:
        return {"recruit_step": gid("RecruitStep", 0), "attachment": gid("Attachment", 0)}
    recruit = raw_id(ids["recruit"])
    async with owner_engine.begin() as conn:  # committed: the API reads it
        step = await conn.scalar(
            sa.text("SELECT min(id) FROM recruit_steps WHERE recruit_id = :r"), {"r": recruit}
        )
        attachment = await conn.scalar(
            sa.text(
                "INSERT INTO attachments (recruit_id, step_id, school_id, unit_path,"
                " charged_school_id, document, file_name, content_type, size_bytes, sha256,"
                " storage_key) SELECT id, :s, school_id, unit_path, school_id,"
                " 'application_letter', '申请书.pdf', 'application/pdf', 1,"
                " sha256('x'::bytea), 'schools/0/' || md5(random()::text) FROM recruits"
                " WHERE id = :r RETURNING id"
            ),
            {"r": recruit, "s": step},
        )
    return {"recruit_step": gid("RecruitStep", step), "attachment": gid("Attachment", attachment)}
