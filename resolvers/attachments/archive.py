"""A new member's archive (档案) as one ZIP, written to a file: the manifest ``目录.xlsx``
(step, date, document, file name, SHA-256 of each file), every current attachment in step
order, and the record itself as ``记录.json``.

Names inside the ZIP are the platform's own (``03-10-进行政治审查-政治审查结论性材料.pdf``):
never the uploader's file name, which only the manifest shows. Every entry carries one fixed
timestamp, so the same content gives the same bytes but for the workbook's own metadata; what
makes a copy verifiable is the SHA-256 of the ZIP and of its manifest, recorded in the audit
chain when the archive is handed out (``service/archive.py``).
"""

from __future__ import annotations

import hashlib
import io
import json
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from openpyxl import Workbook

from .rules import DOCUMENTS, EXTENSIONS, KIND_OF

MANIFEST = "目录.xlsx"
RECORD = "记录.json"
#: One timestamp for every entry (ZIP's epoch is 1980).
STAMP = (1980, 1, 1, 0, 0, 0)
HEADER = ("序号", "步骤", "日期", "材料", "文件名", "档案内文件", "SHA-256")


@dataclass(frozen=True)
class Entry:
    """One attachment as the archive holds it: where its checked bytes are now."""

    number: int | None  # the step's number in the procedure (None: outside the 25)
    step_name: str
    on: str  # ISO date of the step
    document: str
    file_name: str  # the uploader's, for display
    content_type: str
    sha256: str  # hex
    source: Path


@dataclass(frozen=True)
class Built:
    sha256: str  # of the ZIP
    manifest_sha256: str
    entries: int


def member_name(index: int, entry: Entry) -> str:
    ext = EXTENSIONS.get(KIND_OF.get(entry.content_type, ""), "")
    number = f"{entry.number:02d}" if entry.number is not None else "00"
    label = DOCUMENTS.get(entry.document, entry.document)
    return f"材料/{index:03d}-{number}-{entry.step_name}-{label}{ext}"


def manifest(entries: Sequence[Entry]) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.title = "目录"
    sheet.append(HEADER)
    for index, entry in enumerate(entries, 1):
        sheet.append(
            (
                index,
                entry.step_name,
                entry.on,
                DOCUMENTS.get(entry.document, entry.document),
                entry.file_name,
                member_name(index, entry),
                entry.sha256,
            )
        )
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _add(archive: zipfile.ZipFile, name: str, data: bytes | Path) -> None:
    info = zipfile.ZipInfo(name, date_time=STAMP)
    info.compress_type = zipfile.ZIP_DEFLATED
    info.flag_bits |= 0x800  # names are UTF-8
    if isinstance(data, Path):
        with archive.open(info, "w") as target, data.open("rb") as source:
            while chunk := source.read(1024 * 1024):
                target.write(chunk)
    else:
        archive.writestr(info, data)


def write(target: Path, entries: Sequence[Entry], record: dict[str, Any]) -> Built:
    """Write the archive to ``target``; its and its manifest's SHA-256."""
    listing = manifest(entries)
    body = json.dumps(record, ensure_ascii=False, indent=2, sort_keys=True, default=str)
    with zipfile.ZipFile(target, "w") as archive:
        _add(archive, MANIFEST, listing)
        for index, entry in enumerate(entries, 1):
            _add(archive, member_name(index, entry), entry.source)
        _add(archive, RECORD, body.encode())
    digest = hashlib.sha256()
    with target.open("rb") as written:
        while chunk := written.read(1024 * 1024):
            digest.update(chunk)
    return Built(digest.hexdigest(), hashlib.sha256(listing).hexdigest(), len(entries))
