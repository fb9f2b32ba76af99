"""Inputs of the spot-check mutations."""

from __future__ import annotations

import strawberry
from strawberry import relay

from ..wording import fraction
from .types import SpotCheckFinding


@strawberry.input(
    description="承诺抽查：the seed's hash and the size of the draw; the candidate list (the "
    "development targets now) is frozen with it."
)
class CommitSpotCheckInput:
    commission_id: relay.GlobalID = strawberry.field(description="工委：the commission's ID.")
    name: str = strawberry.field(description="抽查名称：e.g. “2024 年发展对象随机抽查”.")
    seed_sha256: str = strawberry.field(
        description="种子承诺值：SHA-256 of the secret seed's UTF-8 bytes, 64 hex digits. The "
        "seed (32–256 printable characters) stays with the commission until the draw."
    )
    per_school: int | None = strawberry.field(
        default=None, description="每校抽取人数：not together with `share`."
    )
    share: float | None = strawberry.field(
        default=None,
        description=fraction("抽取比例：each school's share, rounded up; not with `perSchool`."),
    )
    school_ids: list[relay.GlobalID] | None = strawberry.field(
        default=None, description="所抽学校：null for every school of the commission."
    )


@strawberry.input(description="抽取：the seed committed to; it is revealed by the draw.")
class DrawSpotCheckInput:
    spot_check_id: relay.GlobalID = strawberry.field(description="抽查：the committed check.")
    seed: str = strawberry.field(description="种子：whose SHA-256 is the commitment.")


@strawberry.input(description="抽查结论：no issue, or an issue with its step and rule.")
class RecordSpotCheckFindingInput:
    record_id: relay.GlobalID = strawberry.field(description="抽查记录：the drawn target's record.")
    finding: SpotCheckFinding = strawberry.field(
        description="抽查结论：NO_ISSUE or ISSUE (PENDING is refused)."
    )
    step: str | None = strawberry.field(
        default=None,
        description="问题环节：with ISSUE, the step's code as `recordStep` takes it (e.g. "
        "`POLITICAL_REVIEW`).",
    )
    rule_id: str | None = strawberry.field(
        default=None,
        description="依据规则：with ISSUE, a rule id of the rule table (or of a finding the "
        "recruit has).",
    )
    note: str | None = strawberry.field(
        default=None, description="抽查意见：required with ISSUE; at most 1000 characters."
    )


@strawberry.input(description="整改或销号：a note on the record's follow-up.")
class SpotCheckFollowUpInput:
    record_id: relay.GlobalID = strawberry.field(description="抽查记录：the record.")
    note: str | None = strawberry.field(
        default=None,
        description="说明：what was done (required when following up); the commission's "
        "remark when closing.",
    )
