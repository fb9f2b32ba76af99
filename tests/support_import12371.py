"""Shared by the 12371 import's tests: fake recruits rendered by the export's own rules and
written by its own workbook writer, hand-made sheets, raw zip patches, and reading back."""

from __future__ import annotations

import zipfile
from collections.abc import AsyncIterator
from datetime import date
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import openpyxl
import pytest
from support import id_number

from partyplan.resolvers.exports12371 import rules, workbook
from partyplan.resolvers.exports12371.service import Export12371
from partyplan.resolvers.imports12371 import reader
from partyplan.resolvers.imports12371.errors import FileProblem, FileRefused
from partyplan.resolvers.imports12371.rows import FileRow

TODAY = date(2025, 3, 1)
MAX_BYTES = 1024 * 1024
NAMES = {"M001": "李四", "M002": "王五"}


# --- fake recruits, rendered by the export's own rules ------------------------------------------


def recruit(sequence: int, *, female: bool = False) -> tuple[Any, dict, dict]:
    """A recruit with every item of the 12371 list, its steps and its PII (clear)."""
    born = date(2003, 5, 4)
    row = SimpleNamespace(
        name=f"张{'一二三四五六七八九十'[sequence % 10]}",
        gender="female" if female else "male",
        ethnicity="回族" if sequence % 2 else "汉族",
        birth_date=born,
        education="bachelor",
        category="undergraduate",
        branch="计算机学院第一党支部",
        applied_on=date(2021, 9, 10),
        activist_on=date(2022, 3, 1),
        target_on=date(2023, 3, 1),
        approved_on=date(2023, 6, 1),
        converted_on=date(2024, 6, 5),
    )
    votes = {"entitled": 30, "present": 28, "in_favour": 27}
    steps = {
        "contacts": (date(2022, 3, 5), {"contacts": ["M001", "M002"]}),
        "activist": (date(2022, 3, 1), {"recommended_by": "mass_organization"}),
        "political_review": (date(2023, 4, 1), {"conclusion": "qualified"}),
        # Only the days: the export leaves out what is not recorded.
        "training": (date(2023, 4, 2), {"days": 3} if sequence % 2 else {"days": 3, "hours": 24}),
        "pre_review": (date(2023, 5, 1), {}),
        "introducers": (date(2023, 3, 10), {"introducers": ["M002", "M009"]}),
        "branch_meeting": (date(2023, 5, 20), votes),
        "oath": (date(2023, 7, 1), {}),
        "conversion_application": (date(2024, 5, 1), {}),
        "conversion_meeting": (date(2024, 5, 20), {"entitled": 31, "present": 31}),
    }
    pii = {"id_number": id_number("20030504", sequence, female=female), "phone": "13800138000"}
    return row, steps, pii


def expected_values(row: Any, steps: dict, pii: dict, items: tuple[str, ...]) -> dict:
    every = {
        "name": row.name,
        "gender": row.gender,
        "id_number": pii["id_number"],
        "ethnicity": row.ethnicity,
        "birth_date": row.birth_date,
        "education": row.education,
        "category": row.category,
        "branch": row.branch,
        "application_date": row.applied_on,
        "phone": pii["phone"],
        "activist_date": row.activist_on,
        "contacts": [NAMES[code] for code in steps["contacts"][1]["contacts"]],
        "recommended_by": steps["activist"][1]["recommended_by"],
        "target_date": row.target_on,
        "political_review": steps["political_review"][1]["conclusion"],
        "training": {"on": steps["training"][0], **steps["training"][1]},
        "pre_review": steps["pre_review"][0],
        # A member no longer in the roster is written as their code, and read back so.
        "introducers": [NAMES.get(code, code) for code in steps["introducers"][1]["introducers"]],
        "branch_meeting": {"on": steps["branch_meeting"][0], **steps["branch_meeting"][1]},
        "approval": row.approved_on,
        "oath": steps["oath"][0],
        "conversion_application": steps["conversion_application"][0],
        "conversion_meeting": {
            "on": steps["conversion_meeting"][0],
            **steps["conversion_meeting"][1],
        },
        "conversion_approval": row.converted_on,
    }
    return {item: every[item] for item in items}


async def export(target: Path, people: dict[str, list], *, unmasked: bool = True) -> None:
    """Write ``people`` (stage -> recruits) with the real export."""
    stages = tuple(stage for stage in rules.STAGE_ORDER if stage in people)
    about = Export12371(1, "学校", stages, None, None, None, None, unmasked)

    async def rows_of(stage: str) -> AsyncIterator[list[str]]:
        for row, steps, pii in people[stage]:
            yield rules.cells(rules.columns(stage), row, steps, NAMES, pii)

    await workbook.write(target, about, rows_of)


async def read(path: Path, **limits: Any) -> list[FileRow]:
    limits.setdefault("max_rows", 1000)
    limits.setdefault("max_bytes", MAX_BYTES)
    limits.setdefault("today", TODAY)
    found: list[FileRow] = []
    async for batch in reader.batches(path, **limits):
        found.extend(batch)
    return found


async def refused(path: Path, **limits: Any) -> FileRefused:
    with pytest.raises(FileRefused) as caught:
        await read(path, **limits)
    assert caught.value.field == "file"
    return caught.value


def sheet_file(path: Path, rows: list[list[Any]], title: str = "入党申请人") -> Path:
    """A workbook of one sheet holding ``rows`` as given (no notice unless given)."""
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = title
    for row in rows:
        sheet.append(row)
    book.save(path)
    return path


APPLICANT = rules.columns("applicant")
HEADERS = rules.headers(APPLICANT)


def applicant_row(sequence: int = 1, **changes: str) -> list[str]:
    row, steps, pii = recruit(sequence)
    cells = dict(zip(APPLICANT, rules.cells(APPLICANT, row, steps, NAMES, pii), strict=True))
    cells.update(changes)
    return [cells[item] for item in APPLICANT]


def letter(item: str, items: tuple[str, ...] = APPLICANT) -> str:
    return openpyxl.utils.get_column_letter(items.index(item) + 1)


def patched(path: Path, member: str, old: bytes, new: bytes) -> Path:
    """``path`` rewritten with ``old`` replaced by ``new`` in one zip member (raw XML)."""
    with zipfile.ZipFile(path) as source:
        contents = {info.filename: source.read(info) for info in source.infolist()}
    assert old in contents[member]
    contents[member] = contents[member].replace(old, new)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as target:
        for name, data in contents.items():
            target.writestr(name, data)
    return path


def only(refusal: FileRefused) -> FileProblem:
    assert len(refusal.problems) == 1, refusal.problems
    return refusal.problems[0]
