"""Files uploaded through the GraphQL multipart request convention, received onto disk.

Strawberry hands a resolver the upload as Starlette spooled it (kept in memory up to 1 MB,
then on disk). ``received`` copies it in chunks to a private temporary file, counting and
hashing as it goes, and refuses it as soon as it passes the limit: no upload is ever held in
memory whole. The file name is the client's and is kept for display only; the temporary file
has a name of its own and is removed when the block ends.

An ``Upload`` argument sent as a plain JSON value (a string, an object) instead of a file part
is the caller's mistake, refused as INVALID_FILE like an empty file.
"""

from __future__ import annotations

import asyncio
import hashlib
import os
import tempfile
import unicodedata
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import Any

from starlette.datastructures import UploadFile

from partyplan.resolvers.errors import DomainError
from partyplan.resolvers.imports12371.errors import FILE_EMPTY, FileRefused, too_large

__all__ = ["Problem", "UploadError", "UploadErrorCode", "UploadedFile", "problems", "received"]

#: Bytes copied per read of the spooled upload.
CHUNK = 1024 * 1024
#: Longest file name kept for display.
NAME_LIMIT = 200


class UploadErrorCode(StrEnum):
    INVALID_FILE = "INVALID_FILE"
    FILE_TOO_LARGE = "FILE_TOO_LARGE"


class UploadError(DomainError):
    pass


@dataclass(frozen=True)
class UploadedFile:
    path: Path
    name: str  # the client's name for it, printable, for display only
    size: int
    sha256: bytes


def display_name(name: object) -> str:
    """The client's file name as text fit to show: printable, no path, bounded."""
    text = name if isinstance(name, str) else ""
    text = text.replace("\\", "/").rsplit("/", 1)[-1]
    text = "".join(
        c for c in text if c.isprintable() and unicodedata.category(c) not in ("Cs", "Co")
    )
    return text[:NAME_LIMIT] or "upload"


@asynccontextmanager
async def received(
    upload: object, *, max_bytes: int, field: str = "file"
) -> AsyncIterator[UploadedFile]:
    """The upload on disk, checked: a file part, not empty, at most ``max_bytes``."""
    if not isinstance(upload, UploadFile):
        raise UploadError(
            UploadErrorCode.INVALID_FILE,
            "请以 multipart 请求中的文件部分发送文件，而不是作为 JSON 值",
            field,
        )
    handle, name = tempfile.mkstemp(prefix="partyplan-upload-")
    path = Path(name)
    try:
        digest, size = hashlib.sha256(), 0
        with os.fdopen(handle, "wb") as target:
            while chunk := await upload.read(CHUNK):
                size += len(chunk)
                if size > max_bytes:
                    raise UploadError(
                        UploadErrorCode.FILE_TOO_LARGE,
                        too_large(max_bytes),
                        field,
                    )
                digest.update(chunk)
                await asyncio.to_thread(target.write, chunk)
        if size == 0:
            raise UploadError(UploadErrorCode.INVALID_FILE, FILE_EMPTY, field)
        yield UploadedFile(path, display_name(upload.filename), size, digest.digest())
    finally:
        await asyncio.to_thread(path.unlink, missing_ok=True)


@dataclass(frozen=True)
class Problem:
    """One problem of an uploaded file (or of the request around it) as a payload lists it."""

    code: str
    field: str | None
    message: str
    sheet: str | None = None
    row: int | None = None
    column: str | None = None

    def place(self) -> dict[str, Any]:
        """Everything but the code (each payload has its own code enum)."""
        return {
            "field": self.field,
            "message": self.message,
            "sheet": self.sheet,
            "row": self.row,
            "column": self.column,
        }


def problems(errors: list[DomainError]) -> tuple[list[Problem], int]:
    """A refused file's problems, each with its place (and any other error as it is), and
    how many problems there were in all (a refusal lists the first ones only)."""
    shown: list[Problem] = []
    total = 0
    for error in errors:
        if isinstance(error, FileRefused):
            shown += [
                Problem(str(p.code), error.field, p.message, p.sheet, p.row, p.column)
                for p in error.problems
            ]
            total += error.total
        else:
            shown.append(Problem(str(error.code), error.field, error.message))
            total += 1
    return shown, total
