"""What a warning rule finds: candidates, and the keys it answers for.

A detector returns every warning that should stand now (``candidates``) and the part of the
warning space it judged (``prefixes`` of dedupe keys, or None for every key of its kind in the
commission): a standing warning of that part not among the candidates has cleared and is
resolved. Historical judgments (a past quarter's progress) are left alone that way.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection


@dataclass(frozen=True)
class Candidate:
    key: str
    unit_id: int
    unit_path: str
    school_id: int | None
    message: str
    evidence: dict[str, Any]
    period_id: int | None = None
    recruit_id: int | None = None

    def as_json(self) -> dict[str, Any]:
        return {
            "key": self.key,
            "unit_id": self.unit_id,
            "unit_path": self.unit_path,
            "school_id": self.school_id,
            "period_id": self.period_id,
            "recruit_id": self.recruit_id,
            "message": self.message,
            "evidence": self.evidence,
        }


@dataclass
class Detection:
    candidates: list[Candidate] = field(default_factory=list)
    prefixes: list[str] | None = None


@dataclass(frozen=True)
class ScanContext:
    """One commission's scan: the owner's connection (the rules read through ``repository``),
    the commission, the day judged and the commission's plan periods, oldest first."""

    conn: AsyncConnection
    commission_id: int
    commission_path: str
    today: date
    periods: list[sa.Row]


def percent(value: float) -> str:
    return f"{value * 100:.1f}%"
