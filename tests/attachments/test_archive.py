"""A new member's archive (档案): one ZIP with the manifest, every current attachment in step
order and the record as JSON, verified against the SHA-256 the audit chain recorded when it was
handed out — on both stores."""

from __future__ import annotations

import hashlib
import io
import json
import zipfile

import openpyxl
from support import codes, id_number
from support_attachments import SUPERSEDE, jpeg, pdf, png, recruit_with_steps, upload

ARCHIVE = "query($r: ID!) { recruitArchive(recruitId: $r) { path downloadUrl } }"
TRAIL = """query($r: ID!) { auditTrail(objectId: $r, first: 50) { edges { node {
  operation after } } } }"""


async def _attach(stored, world, step_id, content, document, name):  # type: ignore[no-untyped-def]
    result = await upload(
        stored.http,
        world.tokens["branch_secretary"],
        content,
        {"s": step_id, "d": document},
        name=name,
    )
    payload = result["data"]["uploadAttachment"]
    assert payload["errors"] == [], payload
    return payload["attachment"]


def verified(copy: bytes, audited_sha256: str) -> bool:
    """How a later copy is checked: its SHA-256 against the audit entry's."""
    return hashlib.sha256(copy).hexdigest() == audited_sha256


async def test_an_archive_holds_every_current_attachment_and_verifies_against_its_audit(
    stored, gql, world
) -> None:  # type: ignore[no-untyped-def]
    recruit, steps = await recruit_with_steps(gql, world)
    talk = pdf("谈话记录")
    letter = jpeg()
    withdrawn = png()
    # Uploaded out of step order: the archive follows the procedure's.
    await _attach(stored, world, steps["talk"], talk, "TALK_RECORD", "谈话.pdf")
    await _attach(stored, world, steps["application"], letter, "APPLICATION_LETTER", "申请.jpg")
    gone = await _attach(stored, world, steps["talk"], withdrawn, "OTHER", "错传.png")
    result = await stored.gql(
        SUPERSEDE, {"a": gone["id"], "r": "错传"}, world.tokens["branch_secretary"]
    )
    assert result["data"]["supersedeAttachment"]["errors"] == []

    admin = world.tokens["school_admin"]
    link = (await stored.gql(ARCHIVE, {"r": recruit}, admin))["data"]["recruitArchive"]
    response = await stored.http.get(link["downloadUrl"])
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/zip"
    copy = response.content
    with zipfile.ZipFile(io.BytesIO(copy)) as archive:
        names = archive.namelist()
        assert names == [
            "目录.xlsx",
            "材料/001-01-递交入党申请书-入党申请书.jpg",
            "材料/002-02-党组织派人谈话-谈话记录.pdf",
            "记录.json",
        ]
        assert archive.read(names[1]) == letter and archive.read(names[2]) == talk
        record = json.loads(archive.read("记录.json"))
        book = openpyxl.load_workbook(io.BytesIO(archive.read("目录.xlsx")))
        manifest = archive.read("目录.xlsx")
    rows = list(book.active.iter_rows(values_only=True))
    assert rows[0] == ("序号", "步骤", "日期", "材料", "文件名", "档案内文件", "SHA-256")
    assert [(r[1], r[2], r[3], r[4], r[5], r[6]) for r in rows[1:]] == [
        (
            "递交入党申请书",
            "2022-09-15",
            "入党申请书",
            "申请.jpg",
            names[1],
            hashlib.sha256(letter).hexdigest(),
        ),
        (
            "党组织派人谈话",
            "2022-10-10",
            "谈话记录",
            "谈话.pdf",
            names[2],
            hashlib.sha256(talk).hexdigest(),
        ),
    ]
    assert [s["step"] for s in record["steps"]] == ["application", "talk"]
    assert record["recruit"]["name"] == "李明"
    assert record["recruit"]["id_number"].count("*") > 0  # the record's masked form

    trail = await stored.gql(TRAIL, {"r": recruit}, admin)
    entries = [
        e["node"]
        for e in trail["data"]["auditTrail"]["edges"]
        if e["node"]["operation"] == "downloadArchive"
    ]
    assert len(entries) == 1
    audited = entries[0]["after"]
    assert audited["attachments"] == 2
    assert audited["manifest_sha256"] == hashlib.sha256(manifest).hexdigest()
    assert verified(copy, audited["archive_sha256"])
    # A copy changed by one byte no longer verifies.
    forged = bytearray(copy)
    forged[len(forged) // 2] ^= 0x01
    assert not verified(bytes(forged), audited["archive_sha256"])


async def test_the_archive_is_scoped_and_needs_pii_read(stored, gql, world) -> None:  # type: ignore[no-untyped-def]
    recruit, _ = await recruit_with_steps(gql, world)
    assert codes(await stored.gql(ARCHIVE, {"r": recruit}, None)) == ["UNAUTHENTICATED"]
    for account, code in (
        ("viewer", "FORBIDDEN"),
        ("branch_secretary", "FORBIDDEN"),
        ("other_school_admin", "NOT_FOUND"),
    ):
        result = await stored.gql(ARCHIVE, {"r": recruit}, world.tokens[account])
        assert codes(result) == [code], account
    path = (await stored.gql(ARCHIVE, {"r": recruit}, world.tokens["unit_admin"]))["data"][
        "recruitArchive"
    ]["path"]
    other = world.tokens["other_school_admin"]
    response = await stored.http.get(path, headers={"Authorization": f"Bearer {other}"})
    assert response.status_code == 404
    assert (await stored.http.get(path)).status_code == 401
    # Another school's recruit of the same shape: its own archive opens for its own admin.
    theirs, _ = await recruit_with_steps(
        gql, world, branch="B1", account="other_school_admin", idNumber=id_number("20030504", 13)
    )
    link = (await stored.gql(ARCHIVE, {"r": theirs}, other))["data"]["recruitArchive"]
    assert (await stored.http.get(link["downloadUrl"])).status_code == 200


async def test_a_tampered_file_stops_the_archive(stored, gql, world, owner_engine) -> None:  # type: ignore[no-untyped-def]
    from support import raw_id, scalar

    recruit, steps = await recruit_with_steps(gql, world)
    attachment = await _attach(stored, world, steps["talk"], pdf(), "TALK_RECORD", "谈话.pdf")
    key = await scalar(
        owner_engine,
        "SELECT storage_key FROM attachments WHERE id = :i",
        i=raw_id(attachment["id"]),
    )
    stored.tamper(key, pdf("篡改"))
    link = (await stored.gql(ARCHIVE, {"r": recruit}, world.tokens["school_admin"]))["data"][
        "recruitArchive"
    ]
    response = await stored.http.get(link["downloadUrl"])
    assert response.status_code == 500 and response.json()["code"] == "CHECKSUM_MISMATCH"
    assert (
        await scalar(
            owner_engine, "SELECT count(*) FROM audit_log WHERE operation = 'downloadArchive'"
        )
        == 0
    )
