"""Attachments in tests: sample files of each accepted kind (and hostile ones), a recruit with
steps to attach to, uploads by the GraphQL multipart request convention, and an S3-compatible
server (moto in server mode: real HTTP) for the S3 store."""

from __future__ import annotations

import io
import json
import socket
import zipfile
from datetime import date
from typing import Any

import sqlalchemy as sa
from support import raw_id
from support_recruits import create, step

#: The largest attachment the tests' apps take (small: the over-size test sends one more).
LIMIT = 64 * 1024

# --- files -------------------------------------------------------------------------------------


def pdf(text: str = "申请书") -> bytes:
    return b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\n% " + text.encode() + b"\n%%EOF\n"


def png() -> bytes:
    return b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + b"\x00" * 32


def jpeg() -> bytes:
    return b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"\x00" * 32 + b"\xff\xd9"


def _zip(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def docx() -> bytes:
    return _zip({"[Content_Types].xml": b"<Types/>", "word/document.xml": b"<w:document/>"})


def ofd() -> bytes:
    return _zip({"OFD.xml": b"<ofd:OFD/>", "Doc_0/Document.xml": b"<ofd:Document/>"})


#: Refused, whatever their names say: a ZIP of neither kind, an executable, HTML, text, a
#: truncated ZIP, a ZIP whose head says DOCX but holds no document.
HOSTILE_BYTES = {
    "zip": _zip({"evil.sh": b"rm -rf /"}),
    "elf": b"\x7fELF\x02\x01\x01" + b"\x00" * 40,
    "html": b"<html><script>alert(1)</script></html>",
    "text": "纯文本".encode(),
    "truncated_zip": docx()[:30],
    "xlsx_not_docx": _zip({"[Content_Types].xml": b"<Types/>", "xl/workbook.xml": b"<w/>"}),
}

# --- documents ---------------------------------------------------------------------------------

ATTACHMENT_FIELDS = """attachment { id stepId step document fileName contentType sizeBytes sha256
  supersededAt supersedeReason replacedById downloadUrl }"""

UPLOAD = (
    """mutation($f: Upload!, $s: ID!, $d: DocumentKind!) {
  uploadAttachment(input: {stepId: $s, document: $d, file: $f}) { """
    + ATTACHMENT_FIELDS
    + " errors { code field message } } }"
)

SUPERSEDE = (
    """mutation($a: ID!, $r: String!, $f: Upload) {
  supersedeAttachment(input: {attachmentId: $a, reason: $r, file: $f}) { """
    + ATTACHMENT_FIELDS
    + """ replacement { id document fileName sha256 } errors { code field message } } }"""
)

DOCUMENTS = """query($r: ID!) { recruitDocuments(recruitId: $r) {
  stepId step on expected missing attachments { id document fileName } } }"""

FINDINGS = (
    """query($r: ID!) { recruit(id: $r) { openFindings findings { ruleId step message } } }"""
)


async def upload(  # type: ignore[no-untyped-def]
    http,
    token: str | None,
    content: bytes,
    variables: dict[str, Any],
    *,
    name: str = "申请书.pdf",
    query: str = UPLOAD,
    content_type: str = "application/octet-stream",
) -> dict[str, Any]:
    """``query`` sent as a multipart request with ``content`` as its variable ``f``."""
    operations = {"query": query, "variables": {**variables, "f": None}}
    headers = {} if token is None else {"Authorization": f"Bearer {token}"}
    response = await http.post(
        "/graphql",
        data={"operations": json.dumps(operations), "map": json.dumps({"0": ["variables.f"]})},
        files={"0": (name, content, content_type)},
        headers=headers,
    )
    assert response.status_code == 200, response.text
    return response.json()


async def recruit_with_steps(  # type: ignore[no-untyped-def]
    gql, world, branch: str = "A1a", account: str = "branch_secretary", **person: Any
):
    """A recruit (applied 2022-09-15) with its talk recorded: (recruit id, step ids by code)."""
    created = await create(gql, world, account=account, branch=branch, **person)
    recruit = created["recruit"]["id"]
    await step(gql, world, recruit, "talk", date(2022, 10, 10), {"talked_by": "支部书记"}, account)
    result = await gql(
        "query($r: ID!) { recruit(id: $r) { steps { id step } } }",
        {"r": recruit},
        world.tokens[account],
    )
    steps = {s["step"].lower(): s["id"] for s in result["data"]["recruit"]["steps"]}
    return recruit, steps


async def expect_documents(  # type: ignore[no-untyped-def]
    owner_engine,
    world,
    step_code: str,
    documents: list[str],
    *,
    school: str | None = None,
    effective_from: date = date(2020, 1, 1),
) -> None:
    """A commission overlay on the documents a step expects (as stored data)."""
    async with owner_engine.begin() as conn:
        await conn.execute(
            sa.text(
                "INSERT INTO document_expectations (commission_id, commission_path, school_id,"
                " step_code, documents, effective_from, source) VALUES (:c, CAST(:p AS ltree),"
                " :s, :step, :docs, :on, '测试通知')"
            ),
            {
                "c": world.units["commission"],
                "p": str(world.units["commission"]),
                "s": None if school is None else world.units[school],
                "step": step_code,
                "docs": documents,
                "on": effective_from,
            },
        )


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def attachment_row_id(global_id: str) -> int:
    return raw_id(global_id)
