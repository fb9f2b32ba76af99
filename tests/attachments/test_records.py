"""Attachments and the record around them, on both stores: they follow a corrected step and a
transferred recruit, and each is a node with its own audit trail."""

from __future__ import annotations

from support import codes
from support_attachments import (
    DOCUMENTS,
    FINDINGS,
    expect_documents,
    pdf,
    recruit_with_steps,
    upload,
)


async def _attach(stored, world, step_id: str, content: bytes, account: str = "branch_secretary"):  # type: ignore[no-untyped-def]
    result = await upload(
        stored.http, world.tokens[account], content, {"s": step_id, "d": "TALK_RECORD"}
    )
    assert "errors" not in result, result
    return result["data"]["uploadAttachment"]


async def test_attachments_follow_corrections_and_transfers(
    stored, gql, world, owner_engine
) -> None:  # type: ignore[no-untyped-def]
    await expect_documents(owner_engine, world, "talk", ["talk_record"])
    recruit, steps = await recruit_with_steps(gql, world)
    # Uploaded from above the school: the commission's administrator records too.
    talk = await _attach(stored, world, steps["talk"], pdf(), account="commission_admin")
    assert talk["errors"] == [], talk
    secretary = world.tokens["branch_secretary"]
    corrected = await stored.gql(
        "mutation($i: CorrectStepInput!) { correctStep(input: $i) { errors { code } } }",
        {
            "i": {
                "stepId": steps["talk"],
                "on": "2022-10-11",
                "data": {"talked_by": "支部书记"},
                "reason": "日期录错",
            }
        },
        secretary,
    )
    assert corrected["data"]["correctStep"]["errors"] == []
    # The attachment belongs to the correction: the talk still has its record, no finding.
    found = await stored.gql(FINDINGS, {"r": recruit}, secretary)
    assert found["data"]["recruit"]["findings"] == []
    documents = await stored.gql(DOCUMENTS, {"r": recruit}, secretary)
    [talk_step] = [s for s in documents["data"]["recruitDocuments"] if s["step"] == "TALK"]
    assert talk_step["on"] == "2022-10-11" and talk_step["missing"] == []
    assert [a["id"] for a in talk_step["attachments"]] == [talk["attachment"]["id"]]
    # The corrected record takes no new attachment: the correction does.
    stale = await _attach(stored, world, steps["talk"], pdf())
    assert [(e["code"], e["field"]) for e in stale["errors"]] == [("STEP_SUPERSEDED", "stepId")]
    # Transferred to another school, the attachment goes with the record (and its scope);
    # its bytes stay charged to the school that stored them.
    moved = await stored.gql(
        "mutation($r: ID!, $b: ID!) { transferRecruit(input: {recruitId: $r, toBranchId: $b,"
        ' reason: "转学"}) { errors { code } } }',
        {"r": recruit, "b": world.gid("B1")},
        world.tokens["commission_admin"],
    )
    assert moved["data"]["transferRecruit"]["errors"] == []
    listing = "query($r: ID!) { recruitAttachments(recruitId: $r) { id } }"
    theirs = await stored.gql(listing, {"r": recruit}, world.tokens["other_school_admin"])
    assert [a["id"] for a in theirs["data"]["recruitAttachments"]] == [talk["attachment"]["id"]]
    assert codes(await stored.gql(listing, {"r": recruit}, world.tokens["school_admin"])) == [
        "NOT_FOUND"
    ]
    usage = await stored.gql(
        "query($c: ID!) { attachmentQuotas(commissionId: $c) { schoolName usedBytes } }",
        {"c": world.gid("commission")},
        world.tokens["commission_admin"],
    )
    assert {s["schoolName"]: s["usedBytes"] for s in usage["data"]["attachmentQuotas"]} == {
        "学校甲党委": len(pdf()),
        "学校乙党委": 0,
    }


async def test_an_attachment_is_a_node_with_its_audit_trail(stored, gql, world) -> None:  # type: ignore[no-untyped-def]
    _, steps = await recruit_with_steps(gql, world)
    attachment = (await _attach(stored, world, steps["talk"], pdf()))["attachment"]
    admin = world.tokens["school_admin"]
    response = await stored.http.get(
        f"/attachments/{attachment['id']}", headers={"Authorization": f"Bearer {admin}"}
    )
    assert response.status_code == 200
    node = "query($id: ID!) { node(id: $id) { ... on Attachment { fileName sha256 } } }"
    read = await stored.gql(node, {"id": attachment["id"]}, admin)
    assert read["data"]["node"]["sha256"] == attachment["sha256"]
    hidden = await stored.gql(node, {"id": attachment["id"]}, world.tokens["other_school_admin"])
    assert codes(hidden) == ["NOT_FOUND"]
    trail = await stored.gql(
        "query($id: ID!) { auditTrail(objectId: $id) { edges { node { operation after } } } }",
        {"id": attachment["id"]},
        admin,
    )
    entries = [e["node"] for e in trail["data"]["auditTrail"]["edges"]]
    assert [e["operation"] for e in entries] == ["readAttachment", "uploadAttachment"]
    assert entries[1]["after"]["sha256"] == attachment["sha256"]
