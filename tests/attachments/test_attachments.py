"""Attachments through the API, on both stores (``stored``: the data directory and a real
S3-compatible server): upload by the multipart convention, the type judged by the bytes,
sizes, quotas, hostile names, downloads checked against their SHA-256, supersession, scoping,
and the missing-document finding appearing and clearing."""

from __future__ import annotations

import hashlib

import pytest
from support import codes, id_number, raw_id, scalar
from support_attachments import (
    DOCUMENTS,
    FINDINGS,
    HOSTILE_BYTES,
    LIMIT,
    SUPERSEDE,
    docx,
    expect_documents,
    jpeg,
    ofd,
    pdf,
    png,
    recruit_with_steps,
    upload,
)
from support_messages import assert_chinese

KINDS = [
    (pdf, "application/pdf"),
    (jpeg, "image/jpeg"),
    (png, "image/png"),
    (ofd, "application/ofd"),
    (docx, "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
]


async def _key(owner_engine, attachment_gid: str) -> str:  # type: ignore[no-untyped-def]
    return await scalar(
        owner_engine, "SELECT storage_key FROM attachments WHERE id = :i", i=raw_id(attachment_gid)
    )


async def _attach(stored, world, step_id: str, content: bytes, document: str = "TALK_RECORD", **kw):  # type: ignore[no-untyped-def]
    account = kw.pop("account", "branch_secretary")
    result = await upload(
        stored.http, world.tokens[account], content, {"s": step_id, "d": document}, **kw
    )
    assert "errors" not in result, result
    return result["data"]["uploadAttachment"]


async def test_each_accepted_kind_is_stored_and_read_back_checked(
    stored, gql, world, owner_engine
) -> None:  # type: ignore[no-untyped-def]
    recruit, steps = await recruit_with_steps(gql, world)
    for make, content_type in KINDS:
        content = make()
        payload = await _attach(stored, world, steps["talk"], content, content_type="text/plain")
        assert payload["errors"] == [], payload
        attachment = payload["attachment"]
        assert attachment["contentType"] == content_type  # judged by the bytes, not declared
        assert attachment["sha256"] == hashlib.sha256(content).hexdigest()
        assert attachment["sizeBytes"] == len(content)
        key = await _key(owner_engine, attachment["id"])
        assert stored.stored_bytes(key) == content  # in the configured store, byte for byte
        # The link opens it without a header, for a holder of pii.read (school_admin's link).
        read = await stored.gql(
            "query($r: ID!) { recruitAttachments(recruitId: $r) { id downloadUrl } }",
            {"r": recruit},
            world.tokens["school_admin"],
        )
        link = next(
            a["downloadUrl"]
            for a in read["data"]["recruitAttachments"]
            if a["id"] == attachment["id"]
        )
        response = await stored.http.get(link)
        assert response.status_code == 200, response.text
        assert response.content == content
        assert response.headers["content-type"].startswith(content_type)
        assert response.headers["x-content-type-options"] == "nosniff"
    # Every read is audited, once per download.
    assert await scalar(
        owner_engine, "SELECT count(*) FROM audit_log WHERE operation = 'readAttachment'"
    ) == len(KINDS)


@pytest.mark.parametrize("kind", sorted(HOSTILE_BYTES))
async def test_other_bytes_are_refused_whatever_their_name(
    kind, stored, gql, world, owner_engine
) -> None:  # type: ignore[no-untyped-def]
    _, steps = await recruit_with_steps(gql, world)
    payload = await _attach(
        stored,
        world,
        steps["talk"],
        HOSTILE_BYTES[kind],
        name="谈话记录.pdf",
        content_type="application/pdf",
    )
    assert [(e["code"], e["field"]) for e in payload["errors"]] == [("UNSUPPORTED_TYPE", "file")]
    assert_chinese(payload["errors"][0]["message"])
    assert payload["attachment"] is None
    assert await scalar(owner_engine, "SELECT count(*) FROM attachments") == 0


HOSTILE_NAMES = [
    "../../../../etc/passwd",
    "..\\..\\windows\\system32\\evil.pdf",
    "/absolute/path.pdf",
    "谈话\u202efdp.exe",  # a bidi override: would read "exe.pdf"
    "zero\u200bwidth\u2066isolate.pdf",
    "tab\tnew\nline\r.pdf",
    "a" * 1000 + ".pdf",
    "...",
]


async def test_hostile_file_names_are_shown_safely_and_never_used_as_paths(
    stored, gql, world, owner_engine
) -> None:  # type: ignore[no-untyped-def]
    _, steps = await recruit_with_steps(gql, world)
    for name in HOSTILE_NAMES:
        payload = await _attach(stored, world, steps["talk"], pdf(), name=name)
        assert payload["errors"] == [], (name, payload)
        shown = payload["attachment"]["fileName"]
        assert shown and len(shown) <= 120
        assert not any(c in shown for c in "/\\\x00\t\n\r\u202e\u200b\u2066"), shown
        assert not shown.startswith(".")
        key = await _key(owner_engine, payload["attachment"]["id"])
        assert name.strip("./\\") == "" or name[:20] not in key  # the key is ours, not the name
    # No name at all is no file part (Starlette's reading): refused, typed.
    nameless = await _attach(stored, world, steps["talk"], pdf(), name="")
    assert [(e["code"], e["field"]) for e in nameless["errors"]] == [("INVALID_FILE", "file")]
    # NUL cannot travel in a multipart header; sent percent-encoded it arrives as text.
    payload = await _attach(stored, world, steps["talk"], pdf(), name="nul%00byte.pdf")
    assert "\x00" not in payload["attachment"]["fileName"]


async def test_a_file_over_the_size_limit_is_refused(stored, gql, world, owner_engine) -> None:  # type: ignore[no-untyped-def]
    _, steps = await recruit_with_steps(gql, world)
    big = pdf() + b"0" * LIMIT
    payload = await _attach(stored, world, steps["talk"], big)
    assert [(e["code"], e["field"]) for e in payload["errors"]] == [("FILE_TOO_LARGE", "file")]
    assert await scalar(owner_engine, "SELECT count(*) FROM attachments") == 0


async def test_the_schools_quota_refuses_an_upload_it_cannot_hold(
    stored, gql, world, owner_engine
) -> None:  # type: ignore[no-untyped-def]
    _, steps = await recruit_with_steps(gql, world)
    first, second = pdf("一"), pdf("二")
    set_quota = """mutation($s: ID!, $n: Float!) { setAttachmentQuota(input:
      {schoolId: $s, limitBytes: $n}) { storage { limitBytes usedBytes } errors { code field } } }"""
    refused = await stored.gql(
        set_quota, {"s": world.gid("A"), "n": 10}, world.tokens["school_admin"]
    )
    assert codes(refused) == ["FORBIDDEN"]  # the school does not set its own quota
    bad = await stored.gql(
        set_quota, {"s": world.gid("A"), "n": 1.5}, world.tokens["commission_admin"]
    )
    assert bad["data"]["setAttachmentQuota"]["errors"] == [
        {"code": "INVALID_QUOTA", "field": "limitBytes"}
    ]
    limit = len(first) + len(second) - 1
    ok = await stored.gql(
        set_quota, {"s": world.gid("A"), "n": limit}, world.tokens["commission_admin"]
    )
    assert ok["data"]["setAttachmentQuota"]["storage"] == {"limitBytes": limit, "usedBytes": 0}
    assert (await _attach(stored, world, steps["talk"], first))["errors"] == []
    over = await _attach(stored, world, steps["talk"], second)
    assert [(e["code"], e["field"]) for e in over["errors"]] == [("OVER_QUOTA", "file")]
    assert str(limit) in over["errors"][0]["message"]
    assert_chinese(over["errors"][0]["message"])
    seen = await stored.gql(
        "query($c: ID!) { attachmentQuotas(commissionId: $c) { schoolName limitBytes usedBytes } }",
        {"c": world.gid("commission")},
        world.tokens["commission_viewer"],
    )
    assert {
        s["schoolName"]: (s["limitBytes"], s["usedBytes"]) for s in seen["data"]["attachmentQuotas"]
    } == {"学校甲党委": (limit, len(first)), "学校乙党委": (None, 0)}
    hidden = await stored.gql(
        "query($c: ID!) { attachmentQuotas(commissionId: $c) { schoolName } }",
        {"c": world.gid("commission")},
        world.tokens["school_admin"],
    )
    assert codes(hidden) == ["NOT_FOUND"]


async def test_stored_bytes_that_fail_their_checksum_are_never_sent(
    stored, gql, world, owner_engine
) -> None:  # type: ignore[no-untyped-def]
    _, steps = await recruit_with_steps(gql, world)
    payload = await _attach(stored, world, steps["talk"], pdf())
    attachment = payload["attachment"]
    stored.tamper(await _key(owner_engine, attachment["id"]), pdf("篡改"))
    response = await stored.http.get(
        f"/attachments/{attachment['id']}",
        headers={"Authorization": f"Bearer {world.tokens['school_admin']}"},
    )
    assert response.status_code == 500
    assert response.json()["code"] == "CHECKSUM_MISMATCH"
    assert_chinese(response.json()["error"])
    assert "篡改".encode() not in response.content
    assert (
        await scalar(
            owner_engine, "SELECT count(*) FROM audit_log WHERE operation = 'readAttachment'"
        )
        == 0
    )


async def test_supersede_keeps_the_record_and_its_bytes(stored, gql, world, owner_engine) -> None:  # type: ignore[no-untyped-def]
    recruit, steps = await recruit_with_steps(gql, world)
    first = (await _attach(stored, world, steps["talk"], pdf("一")))["attachment"]
    token = world.tokens["branch_secretary"]
    empty = await stored.gql(SUPERSEDE, {"a": first["id"], "r": "  "}, token)
    assert [(e["code"], e["field"]) for e in empty["data"]["supersedeAttachment"]["errors"]] == [
        ("REASON_REQUIRED", "reason")
    ]
    replaced = await upload(
        stored.http, token, png(), {"a": first["id"], "r": "扫描件不清晰"}, query=SUPERSEDE
    )
    payload = replaced["data"]["supersedeAttachment"]
    assert payload["errors"] == []
    assert payload["attachment"]["supersedeReason"] == "扫描件不清晰"
    assert payload["attachment"]["supersededAt"] is not None
    new = payload["replacement"]
    assert payload["attachment"]["replacedById"] == new["id"]
    assert new["document"] == "TALK_RECORD"
    again = await stored.gql(SUPERSEDE, {"a": first["id"], "r": "再次撤销"}, token)
    assert [e["code"] for e in again["data"]["supersedeAttachment"]["errors"]] == [
        "ALREADY_SUPERSEDED"
    ]
    listing = "query($r: ID!, $all: Boolean!) { recruitAttachments(recruitId: $r, includeSuperseded: $all) { id } }"
    current = await stored.gql(listing, {"r": recruit, "all": False}, token)
    every = await stored.gql(listing, {"r": recruit, "all": True}, token)
    assert [a["id"] for a in current["data"]["recruitAttachments"]] == [new["id"]]
    assert [a["id"] for a in every["data"]["recruitAttachments"]] == [first["id"], new["id"]]
    # Never erased: the row and its bytes stay, as evidence.
    assert stored.stored_bytes(await _key(owner_engine, first["id"])) == pdf("一")
    assert await scalar(owner_engine, "SELECT count(*) FROM attachments") == 2
    operations = await scalar(
        owner_engine,
        "SELECT string_agg(operation, ',' ORDER BY id) FROM audit_log"
        " WHERE object_type = 'Attachment'",
    )
    assert operations == "uploadAttachment,supersedeAttachment"


async def test_a_missing_document_is_a_finding_until_attached(
    stored, gql, world, owner_engine
) -> None:  # type: ignore[no-untyped-def]
    await expect_documents(owner_engine, world, "talk", ["talk_record"])
    # School A also wants the application letter; school B's steps are not affected.
    await expect_documents(owner_engine, world, "application", ["application_letter"], school="A")
    recruit, steps = await recruit_with_steps(gql, world)
    token = world.tokens["branch_secretary"]

    async def findings() -> list[str]:
        result = await stored.gql(FINDINGS, {"r": recruit}, token)
        node = result["data"]["recruit"]
        assert node["openFindings"] == len(node["findings"])
        return sorted(f["ruleId"] for f in node["findings"])

    assert await findings() == ["documents.application.missing", "documents.talk.missing"]
    documents = await stored.gql(DOCUMENTS, {"r": recruit}, token)
    by_step = {s["step"]: s for s in documents["data"]["recruitDocuments"]}
    assert by_step["TALK"]["expected"] == ["TALK_RECORD"] == by_step["TALK"]["missing"]
    # The wrong kind clears nothing; the right one clears its step's finding at once.
    await _attach(stored, world, steps["talk"], pdf(), document="MEETING_MINUTES")
    assert await findings() == ["documents.application.missing", "documents.talk.missing"]
    talk = (await _attach(stored, world, steps["talk"], pdf()))["attachment"]
    assert await findings() == ["documents.application.missing"]
    letter = await _attach(
        stored, world, steps["application"], pdf(), document="APPLICATION_LETTER"
    )
    assert letter["errors"] == [] and await findings() == []
    # Withdrawn, it is missing again.
    withdrawn = await stored.gql(SUPERSEDE, {"a": talk["id"], "r": "上传错误"}, token)
    assert withdrawn["data"]["supersedeAttachment"]["errors"] == []
    assert await findings() == ["documents.talk.missing"]
    # A recruit of school B: only the province's expectation applies.
    other, _ = await recruit_with_steps(
        gql, world, branch="B1", account="other_school_admin", idNumber=id_number("20030504", 13)
    )
    result = await stored.gql(FINDINGS, {"r": other}, world.tokens["other_school_admin"])
    assert [f["ruleId"] for f in result["data"]["recruit"]["findings"]] == [
        "documents.talk.missing"
    ]


async def test_another_schools_attachment_is_not_found(stored, gql, world, owner_engine) -> None:  # type: ignore[no-untyped-def]
    recruit, steps = await recruit_with_steps(gql, world)
    attachment = (await _attach(stored, world, steps["talk"], pdf()))["attachment"]
    other = world.tokens["other_school_admin"]
    listed = await stored.gql(
        "query($r: ID!) { recruitAttachments(recruitId: $r) { id } }", {"r": recruit}, other
    )
    assert codes(listed) == ["NOT_FOUND"]
    response = await stored.http.get(
        f"/attachments/{attachment['id']}", headers={"Authorization": f"Bearer {other}"}
    )
    assert response.status_code == 404
    withdrawn = await stored.gql(SUPERSEDE, {"a": attachment["id"], "r": "越权"}, other)
    assert codes(withdrawn) == ["NOT_FOUND"]
    foreign = await upload(stored.http, other, pdf(), {"s": steps["talk"], "d": "TALK_RECORD"})
    assert codes(foreign) == ["NOT_FOUND"]
    assert await scalar(owner_engine, "SELECT count(*) FROM attachments") == 1


async def test_downloads_need_a_caller_with_pii_read(stored, gql, world) -> None:  # type: ignore[no-untyped-def]
    _, steps = await recruit_with_steps(gql, world)
    attachment = (await _attach(stored, world, steps["talk"], pdf()))["attachment"]
    path = f"/attachments/{attachment['id']}"
    assert (await stored.http.get(path)).status_code == 401
    for account, status in (("viewer", 403), ("branch_secretary", 403), ("unit_admin", 200)):
        response = await stored.http.get(
            path, headers={"Authorization": f"Bearer {world.tokens[account]}"}
        )
        assert response.status_code == status, (account, response.text)
    # The branch secretary's link names the caller: it opens nothing the caller may not read.
    response = await stored.http.get(attachment["downloadUrl"])
    assert response.status_code == 403
    # A link opens its own file only.
    second = await _attach(stored, world, steps["talk"], png(), account="unit_admin")
    link = second["attachment"]["downloadUrl"]
    assert (await stored.http.get(link)).status_code == 200
    token = link.split("token=", 1)[1]
    assert (await stored.http.get(f"{path}?token={token}")).status_code == 401
