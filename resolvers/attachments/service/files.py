"""Reading an uploaded file's head and, for a ZIP, its member names (the central directory
only: nothing is decompressed, so a ZIP bomb costs nothing), in a worker thread."""

from __future__ import annotations

import asyncio
import hashlib
import zipfile
from pathlib import Path

from ..rules import HEAD_BYTES, is_zip


def _read_kind_inputs(path: Path) -> tuple[bytes, list[str] | None]:
    with path.open("rb") as file:
        head = file.read(HEAD_BYTES)
    if not is_zip(head):
        return head, None
    try:
        with zipfile.ZipFile(path) as archive:
            return head, archive.namelist()
    except (zipfile.BadZipFile, OSError, ValueError, NotImplementedError):
        return head, None


async def kind_inputs(path: Path) -> tuple[bytes, list[str] | None]:
    return await asyncio.to_thread(_read_kind_inputs, path)


def _sha256(path: Path) -> bytes:
    digest = hashlib.sha256()
    with path.open("rb") as file:
        while chunk := file.read(1024 * 1024):
            digest.update(chunk)
    return digest.digest()


async def sha256_of(path: Path) -> bytes:
    return await asyncio.to_thread(_sha256, path)
