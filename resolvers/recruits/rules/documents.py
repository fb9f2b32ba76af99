"""The documents each recorded step is expected to carry (全程纪实), as data beside the step
table: a national default, then the commission's overlays for its whole province and for one
school, each from a date — resolved as the rules are (``overlays.py``): national, province,
school, each by effective date; the later replaces the earlier for its step.

A step whose expected documents are not all attached (as current attachments, not superseded)
has a finding, derived with the other findings when the recruit's record is written (a step, a
correction, an attachment added or superseded): ``documents.<step>.missing``, no due date. The
step is judged by the expectation in force on its date, like a time limit.

**The national default takes effect on 2027-01-01.** Steps recorded before the platform kept
attachments cannot have them: a default in force from the beginning would give every record
ever made a finding. A commission brings it forward (or changes it) for its province or a
school with an overlay from an earlier date. Pure: no I/O.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from .steps import STEP_BY_CODE, Severity

__all__ = [
    "DOCUMENTS",
    "NATIONAL_DEFAULT",
    "NATIONAL_FROM",
    "DocumentOverlay",
    "Expectations",
    "StepDocuments",
    "missing_findings",
]

#: Every kind of document, with its official term.
DOCUMENTS: Mapping[str, str] = {
    "application_letter": "入党申请书",
    "talk_record": "谈话记录",
    "recommendation": "推荐材料",
    "filing_record": "备案材料",
    "cultivation_record": "培养教育考察记录",
    "political_review": "政治审查结论性材料",
    "training_certificate": "培训结业证明",
    "meeting_minutes": "会议记录",
    "application_form": "入党志愿书",
    "approval_document": "审批文件",
    "oath_photo": "入党宣誓照片",
    "conversion_application": "转正申请书",
    "other": "其他材料",
}

#: The day the national default takes effect (see the module's docstring).
NATIONAL_FROM = date(2027, 1, 1)
NATIONAL_SOURCE = "《中国共产党发展党员工作细则》；发展党员培养考察全程纪实制度"

#: What the 细则 says each step leaves in writing; steps not listed expect nothing.
NATIONAL_DEFAULT: Mapping[str, tuple[str, ...]] = {
    "application": ("application_letter",),
    "talk": ("talk_record",),
    "activist": ("recommendation", "meeting_minutes"),
    "cultivation": ("cultivation_record",),
    "development_target": ("meeting_minutes",),
    "political_review": ("political_review",),
    "training": ("training_certificate",),
    "application_form": ("application_form",),
    "branch_meeting": ("meeting_minutes",),
    "committee_talk": ("talk_record",),
    "approval": ("approval_document",),
    "oath": ("oath_photo",),
    "conversion_application": ("conversion_application",),
    "conversion_meeting": ("meeting_minutes",),
    "conversion_approval": ("approval_document",),
}


@dataclass(frozen=True, slots=True)
class DocumentOverlay:
    """The commission's word on one step: its documents from ``effective_from`` on, for its
    province (``school`` None) or one school. An empty ``documents`` waives the step's."""

    step_code: str
    documents: tuple[str, ...]
    effective_from: date
    source: str
    school: int | None = None


@dataclass(frozen=True, slots=True)
class Expectation:
    documents: tuple[str, ...]
    source: str


class Expectations:
    """The documents expected of a school's steps: the national default, then the province's
    overlays, then the school's (each by effective date)."""

    def __init__(self, overlays: Iterable[DocumentOverlay] = (), school: int | None = None) -> None:
        binding = [o for o in overlays if o.school is None or o.school == school]
        # Province before school, each by date: the last that applies wins.
        self._overlays = sorted(binding, key=lambda o: (o.school is not None, o.effective_from))

    def on(self, step_code: str, day: date) -> Expectation:
        chosen = (
            Expectation(NATIONAL_DEFAULT.get(step_code, ()), NATIONAL_SOURCE)
            if day >= NATIONAL_FROM
            else Expectation((), "")
        )
        for overlay in self._overlays:
            if overlay.step_code == step_code and overlay.effective_from <= day:
                chosen = Expectation(overlay.documents, overlay.source)
        return chosen


@dataclass(frozen=True, slots=True)
class StepDocuments:
    """A current step and the document kinds of its current attachments."""

    step_code: str
    on: date
    attached: frozenset[str]


def missing_findings(
    steps: Sequence[StepDocuments], expectations: Expectations
) -> list[dict[str, Any]]:
    """A finding (a ``recruit_findings`` row, without the recruit's columns) for each step
    lacking an expected document, in the steps' order."""
    rows: list[dict[str, Any]] = []
    for step in steps:
        expected = expectations.on(step.step_code, step.on)
        missing = [d for d in expected.documents if d not in step.attached]
        if not missing:
            continue
        name = STEP_BY_CODE[step.step_code].name
        terms = "、".join(DOCUMENTS.get(d, d) for d in missing)
        rows.append(
            {
                "rule_id": f"documents.{step.step_code}.missing",
                "rule_version": "1",
                "article": expected.source,
                "severity": Severity.WARNING.value,
                "step_code": step.step_code,
                "message": f"“{name}”（{step.on}）缺少纪实材料：{terms}",
                "due_on": None,
                "days_late": None,
            }
        )
    return rows
