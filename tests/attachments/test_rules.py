"""The pure rules of attachments: the type judged by the bytes, the name shown, and the
documents each step is expected to carry (national default, province and school overlays)."""

from __future__ import annotations

from datetime import date

import pytest
from support_attachments import HOSTILE_BYTES, docx, jpeg, ofd, pdf, png

from partyplan.resolvers.attachments.rules import display_name, sniff
from partyplan.resolvers.attachments.service.files import _read_kind_inputs
from partyplan.resolvers.recruits.rules.documents import (
    NATIONAL_DEFAULT,
    NATIONAL_FROM,
    DocumentOverlay,
    Expectations,
    StepDocuments,
    missing_findings,
)


def _kind(tmp_path, content: bytes) -> str | None:  # type: ignore[no-untyped-def]
    path = tmp_path / "f"
    path.write_bytes(content)
    return sniff(*_read_kind_inputs(path))


def test_the_kind_is_judged_by_the_bytes(tmp_path) -> None:  # type: ignore[no-untyped-def]
    found = {
        k: _kind(tmp_path, f())
        for k, f in [("pdf", pdf), ("jpeg", jpeg), ("png", png), ("ofd", ofd), ("docx", docx)]
    }
    assert found == {k: k for k in found}
    assert {k: _kind(tmp_path, v) for k, v in HOSTILE_BYTES.items()} == dict.fromkeys(HOSTILE_BYTES)


@pytest.mark.parametrize(
    ("name", "shown"),
    [
        ("谈话记录.pdf", "谈话记录.pdf"),
        ("../../etc/passwd", "passwd.pdf"),
        ("C:\\Users\\x\\scan.jpg", "scan.jpg"),
        ("rep\u202eort.exe", "report.exe"),  # the override is gone: it reads as it is
        ("a\x00b.pdf", "ab.pdf"),
        ("...", "附件.pdf"),
        ("", "附件.pdf"),
        (None, "附件.pdf"),
        ("x" * 500 + ".pdf", "x" * 116 + ".pdf"),
    ],
)
def test_a_file_name_is_for_display_only(name, shown) -> None:  # type: ignore[no-untyped-def]
    assert display_name(name, "pdf") == shown


def test_overlays_replace_the_national_default_province_then_school() -> None:
    before, after = date(2026, 6, 1), NATIONAL_FROM
    national = Expectations()
    assert national.on("talk", before).documents == ()  # not yet in force
    assert national.on("talk", after).documents == NATIONAL_DEFAULT["talk"]
    assert national.on("contacts", after).documents == ()  # the step leaves nothing in writing
    overlays = [
        DocumentOverlay("talk", ("talk_record", "other"), date(2024, 1, 1), "省通知"),
        DocumentOverlay("talk", (), date(2025, 1, 1), "校通知", school=7),  # waived at school 7
        DocumentOverlay("oath", ("oath_photo",), date(2025, 1, 1), "校通知", school=8),
    ]
    province = Expectations(overlays, school=8)
    school = Expectations(overlays, school=7)
    assert province.on("talk", date(2023, 12, 31)).documents == ()
    assert province.on("talk", date(2024, 1, 1)).documents == ("talk_record", "other")
    assert province.on("oath", date(2025, 1, 1)).documents == ("oath_photo",)
    assert school.on("talk", date(2024, 6, 1)).documents == ("talk_record", "other")
    assert school.on("talk", date(2025, 6, 1)).documents == ()
    assert school.on("oath", date(2025, 6, 1)).documents == ()  # school 8's, not 7's
    assert school.on("talk", after).documents == ()  # the school's word outlasts the default


def test_missing_documents_are_findings_without_a_due_date() -> None:
    expected = Expectations([DocumentOverlay("talk", ("talk_record",), date(2020, 1, 1), "通知")])
    steps = [
        StepDocuments("application", date(2022, 9, 15), frozenset()),
        StepDocuments("talk", date(2022, 10, 10), frozenset({"other"})),
    ]
    [finding] = missing_findings(steps, expected)
    assert (finding["rule_id"], finding["step_code"], finding["due_on"]) == (
        "documents.talk.missing",
        "talk",
        None,
    )
    assert "谈话记录" in finding["message"] and finding["article"] == "通知"
    attached = [StepDocuments("talk", date(2022, 10, 10), frozenset({"talk_record"}))]
    assert missing_findings(attached, expected) == []
