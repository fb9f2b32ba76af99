"""A row read from a 12371 file, as the reconciliation and the decisions applied to it use it,
and the uploaded file it is read from."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol


@dataclass(frozen=True, slots=True)
class FileRow:
    """One person of a 12371 file: a row of the sheet of their stage.

    ``cells`` holds each item the sheet has a column for (``ITEMS`` of the 12371 list), as
    text written the way the export writes it (``exports12371.rules.cells``), so a round trip
    compares equal; ``values`` the same items parsed (dates as ``date``, choices as the
    platform's codes, members as their names); ``id_number`` and ``phone`` are in both, in
    clear: they never leave memory unencrypted.
    """

    sheet: str  # the sheet's title, as in the file
    row: int  # the row's number as a spreadsheet shows it (1-based, notice and header included)
    stage: str  # the sheet's stage: one of STAGE_ORDER
    id_number: str  # normalised (upper-case X), check digit verified
    cells: dict[str, str] = field(default_factory=dict)
    values: dict[str, Any] = field(default_factory=dict)


class ReceivedFile(Protocol):
    """An uploaded file on disk (``schema.uploads.UploadedFile``): the readers' input."""

    @property
    def path(self) -> Path: ...
    @property
    def name(self) -> str: ...  # the client's, for display only
    @property
    def size(self) -> int: ...
    @property
    def sha256(self) -> bytes: ...
