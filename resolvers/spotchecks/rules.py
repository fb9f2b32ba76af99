"""The draw of a spot check, as a pure function of the revealed seed and the published list.

This module is the specification docs/spot-checks.md restates (with a standalone script that
redoes a draw): change nothing here without a new ``ALGORITHM`` name, or every draw published
so far stops being reproducible.

* **Candidate list.** The development targets of the schools drawn from at the commitment, in
  canonical order: by school id, then recruit id (both ascending integers). Its text is one
  line per candidate, ``"<school id>\\t<recruit id>\\n"`` (decimal, ASCII); ``list_sha256`` is
  the SHA-256 of that text.
* **Commitment.** ``seed_sha256`` is the SHA-256 of the seed's UTF-8 bytes, given before the
  list is frozen; the seed itself is 32 to 256 printable characters (e.g. 64 hex digits from a
  secure generator), so that it cannot be guessed from its hash.
* **Tickets.** Each candidate's ticket is HMAC-SHA256 with the seed's UTF-8 bytes as key and
  the recruit id in decimal ASCII as message.
* **Draw.** In each school, candidates are sorted by ticket (bytewise), then recruit id; the
  first *n* are drawn, ranks 1 to *n*. *n* is ``per_school`` (at most the school's candidates)
  or, for a share, ``ceil(share × candidates)`` computed in integers on the share in
  ten-thousandths: ``(share_bp × m + 9999) // 10000``.

A school's draw depends only on its own candidates and the seed, so a school can redo its own
part from the candidates it sees.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from .errors import SpotCheckError, SpotCheckErrorCode

ALGORITHM = "HMAC-SHA256-RANK/1"
SEED_MIN, SEED_MAX = 32, 256


@dataclass(frozen=True, slots=True)
class Candidate:
    school_id: int
    recruit_id: int


@dataclass(frozen=True, slots=True)
class Drawn:
    school_id: int
    recruit_id: int
    rank: int
    ticket: bytes


def canonical(candidates: Iterable[Candidate]) -> list[Candidate]:
    return sorted(candidates, key=lambda c: (c.school_id, c.recruit_id))


def list_text(candidates: Sequence[Candidate]) -> str:
    """The published list's text, candidates in canonical order."""
    return "".join(f"{c.school_id}\t{c.recruit_id}\n" for c in candidates)


def list_sha256(candidates: Sequence[Candidate]) -> bytes:
    return hashlib.sha256(list_text(candidates).encode("ascii")).digest()


def commitment(seed: str) -> bytes:
    return hashlib.sha256(seed.encode("utf-8")).digest()


def ticket(seed: str, recruit_id: int) -> bytes:
    return hmac.new(seed.encode("utf-8"), str(recruit_id).encode("ascii"), "sha256").digest()


def share_points(share: float | Decimal) -> int:
    """A share in ten-thousandths, as stored (numeric(5, 4)), halves rounded up."""
    return int((Decimal(str(share)) * 10000).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def drawn_in_school(count: int, *, per_school: int | None, share_bp: int | None) -> int:
    if per_school is not None:
        return min(per_school, count)
    assert share_bp is not None
    return (share_bp * count + 9999) // 10000


def draw(
    seed: str, candidates: Sequence[Candidate], *, per_school: int | None, share_bp: int | None
) -> list[Drawn]:
    """The drawn candidates, school by school (ascending id), each school's by rank."""
    by_school: dict[int, list[tuple[bytes, int]]] = {}
    for c in candidates:
        by_school.setdefault(c.school_id, []).append((ticket(seed, c.recruit_id), c.recruit_id))
    drawn: list[Drawn] = []
    for school_id in sorted(by_school):
        ranked = sorted(by_school[school_id])
        n = drawn_in_school(len(ranked), per_school=per_school, share_bp=share_bp)
        drawn.extend(
            Drawn(school_id, recruit_id, rank, tick)
            for rank, (tick, recruit_id) in enumerate(ranked[:n], start=1)
        )
    return drawn


def parse_sha256(value: str, field: str) -> bytes:
    """A SHA-256 given as 64 hex digits (either case)."""
    text = value.strip()
    try:
        digest = bytes.fromhex(text)
    except ValueError:
        digest = b""
    if len(digest) != 32 or len(text) != 64:
        raise SpotCheckError(
            SpotCheckErrorCode.INVALID_COMMITMENT,
            "承诺值应为种子的 SHA-256 摘要（64 位十六进制数字）",
            field,
        )
    return digest


def check_seed(seed: str, committed: bytes) -> None:
    """The seed is the one committed to (compared in constant time)."""
    if not SEED_MIN <= len(seed) <= SEED_MAX or not seed.isprintable():
        raise SpotCheckError(
            SpotCheckErrorCode.SEED_MISMATCH,
            f"种子应为 {SEED_MIN} 至 {SEED_MAX} 个可打印字符，且与抽查前公布的承诺值相符",
            "seed",
        )
    if not hmac.compare_digest(commitment(seed), committed):
        raise SpotCheckError(
            SpotCheckErrorCode.SEED_MISMATCH,
            "种子与抽查前公布的承诺值（SHA-256）不符，不能据此抽取",
            "seed",
        )


def check_size(per_school: int | None, share: float | None) -> tuple[int | None, int | None]:
    """(per_school, share in ten-thousandths): exactly one given, in range."""
    if (per_school is None) == (share is None):
        raise SpotCheckError(
            SpotCheckErrorCode.INVALID_SIZE,
            "每校抽取人数与抽取比例须且只须填写一项",
            "perSchool",
        )
    if per_school is not None:
        if not 1 <= per_school <= 10_000:
            raise SpotCheckError(
                SpotCheckErrorCode.INVALID_SIZE,
                "每校抽取人数应为 1 至 10000 之间的整数",
                "perSchool",
            )
        return per_school, None
    assert share is not None
    points = share_points(share) if 0 < share <= 1 else 0
    if not 1 <= points <= 10_000:
        raise SpotCheckError(
            SpotCheckErrorCode.INVALID_SIZE,
            "抽取比例应大于 0 且不超过 1（比例以小数表示：0.8 即 80%）",
            "share",
        )
    return None, points


# Follow-up states (open → followed up → closed; none for a check without an issue).
FINDINGS = ("pending", "no_issue", "issue")
FOLLOW_UPS = ("none", "open", "followed_up", "closed")
FOLLOW_UP_LABELS = {
    "none": "无需整改",
    "open": "待整改",
    "followed_up": "已整改",
    "closed": "已销号",
}
