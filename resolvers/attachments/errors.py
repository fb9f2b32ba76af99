"""Typed failures of attachments (fields named by the mutations' arguments and input)."""

from __future__ import annotations

from enum import StrEnum

from partyplan.resolvers.errors import DomainError

__all__ = ["AttachmentError", "AttachmentErrorCode", "CorruptedAttachment"]


class AttachmentErrorCode(StrEnum):
    #: No file part, or an empty one.
    INVALID_FILE = "INVALID_FILE"
    #: More bytes than ``attachment_max_bytes``.
    FILE_TOO_LARGE = "FILE_TOO_LARGE"
    #: Not a PDF, JPEG, PNG, OFD or DOCX file, judged by its bytes.
    UNSUPPORTED_TYPE = "UNSUPPORTED_TYPE"
    #: The school's storage quota would be exceeded.
    OVER_QUOTA = "OVER_QUOTA"
    #: The step named is no longer the record's (corrected since): attach to its correction.
    STEP_SUPERSEDED = "STEP_SUPERSEDED"
    #: supersedeAttachment on an attachment already superseded.
    ALREADY_SUPERSEDED = "ALREADY_SUPERSEDED"
    REASON_REQUIRED = "REASON_REQUIRED"
    INVALID_TEXT = "INVALID_TEXT"
    #: A quota that is no number of bytes a school can hold.
    INVALID_QUOTA = "INVALID_QUOTA"
    #: A unit that is not a school where a school is asked for (or a school of another
    #: commission).
    NOT_A_SCHOOL = "NOT_A_SCHOOL"
    #: Expected documents are the commission's to set: a unit that is no commission.
    NOT_A_COMMISSION = "NOT_A_COMMISSION"
    #: The document the expectation comes from is required.
    SOURCE_REQUIRED = "SOURCE_REQUIRED"


class AttachmentError(DomainError):
    pass


class CorruptedAttachment(Exception):
    """The stored bytes are not those uploaded (their SHA-256 differs), or are gone: nothing is
    sent. Not the caller's mistake: the server's, reported as such."""

    code = "CHECKSUM_MISMATCH"

    def __init__(self, attachment_id: int) -> None:
        super().__init__(f"attachment {attachment_id}: stored bytes do not match their SHA-256")
        self.attachment_id = attachment_id
