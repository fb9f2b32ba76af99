"""Pure rules of attachments: what a file is, judged by its bytes; the name it is shown by;
the quota. No I/O: the service reads the file's head and a ZIP's member names and passes them.

Accepted: PDF, JPEG, PNG, OFD (a ZIP holding ``OFD.xml`` at its root: GB/T 33190) and DOCX (a
ZIP holding ``word/document.xml``). Never the client's content type or extension.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Collection

from partyplan.resolvers.recruits.rules.documents import DOCUMENTS

__all__ = [
    "CONTENT_TYPES",
    "DOCUMENTS",
    "HEAD_BYTES",
    "NAME_LIMIT",
    "display_name",
    "is_zip",
    "sniff",
]

#: Bytes of the head the magic numbers are read from.
HEAD_BYTES = 16
NAME_LIMIT = 120

CONTENT_TYPES = {
    "pdf": "application/pdf",
    "jpeg": "image/jpeg",
    "png": "image/png",
    "ofd": "application/ofd",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
}
EXTENSIONS = {"pdf": ".pdf", "jpeg": ".jpg", "png": ".png", "ofd": ".ofd", "docx": ".docx"}
#: The kind of a content type stored (for the archive's file names).
KIND_OF = {content_type: kind for kind, content_type in CONTENT_TYPES.items()}


def is_zip(head: bytes) -> bool:
    return head.startswith(b"PK\x03\x04")


def sniff(head: bytes, zip_names: Collection[str] | None = None) -> str | None:
    """The file's kind (a key of :data:`CONTENT_TYPES`) from its first bytes and, for a ZIP,
    the names of its members (None when it is no readable ZIP); None when not accepted."""
    if head.startswith(b"%PDF-"):
        return "pdf"
    if head.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if is_zip(head) and zip_names is not None:
        names = set(zip_names)
        if "OFD.xml" in names:
            return "ofd"
        if "word/document.xml" in names and "[Content_Types].xml" in names:
            return "docx"
    return None


def display_name(name: object, kind: str) -> str:
    """The client's file name fit to show and nothing more: its last path part, normalised,
    without control, format (bidi overrides, zero-width), surrogate or private characters,
    without leading dots, bounded; the kind's extension when it has none of its own. Never
    used as a path."""
    text = unicodedata.normalize("NFC", name if isinstance(name, str) else "")
    text = text.replace("\\", "/").rsplit("/", 1)[-1]
    text = "".join(c for c in text if unicodedata.category(c)[0] != "C")
    text = " ".join(text.split()).lstrip(".").strip() or "附件"
    stem, dot, ext = text.rpartition(".")
    if not dot or len(ext) > 8:
        stem, ext = text, EXTENSIONS[kind].lstrip(".")
    return f"{stem[: NAME_LIMIT - len(ext) - 1].rstrip()}.{ext}"


def download_path(attachment_id: int) -> str:
    """The route of an attachment's bytes (``GET``, ``server/attachments.py``): what a
    download link for it holds."""
    return f"/attachments/{attachment_id}"


def archive_path(recruit_id: int) -> str:
    """The route of a recruit's archive ZIP (``server/attachments.py``)."""
    return f"/archives/{recruit_id}.zip"
