"""Spot checks as the API shows them: the commitment, the revealed seed, the published candidate
list page by page, and the records of the drawn targets."""

from __future__ import annotations

from datetime import datetime
from enum import Enum
from typing import Annotated, Any

import strawberry
from strawberry import relay

from partyplan.resolvers.spotchecks import service
from partyplan.resolvers.spotchecks.errors import SpotCheckErrorCode
from partyplan.resolvers.spotchecks.rules import ALGORITHM

from ..connections import Connection, connection
from ..mutations import decode_id
from ..pagination import PAGING, keyset
from ..wording import (
    ERROR_FIELD,
    ERROR_MESSAGE,
    PAYLOAD_ERRORS,
    After,
    Before,
    First,
    Last,
    coded_enum,
    fraction,
)

SPOT_CHECK_CODES = {
    SpotCheckErrorCode.NOT_A_COMMISSION: "不是工委：Spot checks are drawn by a commission; the "
    "unit named is not one.",
    SpotCheckErrorCode.UNKNOWN_SCHOOL: "学校有误：A school listed is not a school of the "
    "commission, or none is listed.",
    SpotCheckErrorCode.INVALID_COMMITMENT: "承诺值无效：The seed's SHA-256 must be 64 hex digits.",
    SpotCheckErrorCode.INVALID_SIZE: "抽取数量有误：Give exactly one of `perSchool` (1–10000) "
    "and `share` (above 0, at most 1).",
    SpotCheckErrorCode.NO_CANDIDATES: "无抽查对象：The schools have no development target now.",
    SpotCheckErrorCode.SEED_MISMATCH: "种子不符：The seed's SHA-256 is not the commitment (or "
    "the seed is not 32–256 printable characters); nothing is drawn.",
    SpotCheckErrorCode.ALREADY_DRAWN: "已抽取：The check was drawn already; it is drawn once.",
    SpotCheckErrorCode.INVALID_FINDING: "抽查结论有误：An issue must name the step and a rule of "
    "the rule table (or one a finding of the recruit names).",
    SpotCheckErrorCode.WRONG_STATE: "状态不符：The record's follow-up is not in the state this "
    "operation needs (open → followed up → closed).",
    SpotCheckErrorCode.INVALID_TEXT: "文本无效：A text is missing, too long or holds control "
    "characters.",
}

SpotCheckErrorCodeEnum = coded_enum(
    "SpotCheckErrorCode",
    "抽查操作错误：why a spot-check mutation was refused.",
    SpotCheckErrorCode,
    SPOT_CHECK_CODES,
)


@strawberry.enum(description="抽查状态：whether the draw has taken place.")
class SpotCheckState(Enum):
    COMMITTED = strawberry.enum_value(
        "committed", description="已承诺（种子摘要与名单已公布，尚未抽取）"
    )
    DRAWN = strawberry.enum_value("drawn", description="已抽取（种子已公布）")


@strawberry.enum(description="抽查结论：what the check of a drawn target found.")
class SpotCheckFinding(Enum):
    PENDING = strawberry.enum_value("pending", description="待核查")
    NO_ISSUE = strawberry.enum_value("no_issue", description="未发现问题")
    ISSUE = strawberry.enum_value("issue", description="发现问题（注明环节与依据）")


@strawberry.enum(description="整改状态：the follow-up of an issue found.")
class SpotCheckFollowUp(Enum):
    NONE = strawberry.enum_value("none", description="无需整改（未发现问题或待核查）")
    OPEN = strawberry.enum_value("open", description="待整改")
    FOLLOWED_UP = strawberry.enum_value("followed_up", description="已整改（学校已报告）")
    CLOSED = strawberry.enum_value("closed", description="已销号（工委确认）")


def _gid(type_name: str, value: int | None) -> relay.GlobalID | None:
    return None if value is None else relay.GlobalID(type_name, str(value))


@strawberry.type(description="抽查名单中的一人：one candidate of the published list.")
class SpotCheckCandidate:
    ordinal: int = strawberry.field(
        description="序号：the candidate's place in the canonical order (school id, then recruit "
        "id), from 1."
    )
    draw_key: str = strawberry.field(
        description="抽取键：the recruit's row id in decimal, the HMAC message of its ticket."
    )
    school_key: str = strawberry.field(
        description="学校键：the school's row id in decimal, as the list's text has it."
    )
    recruit_id: relay.GlobalID = strawberry.field(description="发展对象：the recruit's global ID.")
    school_id: relay.GlobalID = strawberry.field(description="学校：the school's global ID.")
    name: str = strawberry.field(description="姓名：as it stood when the list was published.")

    @classmethod
    def from_row(cls, row: Any) -> SpotCheckCandidate:
        return cls(
            ordinal=row.ordinal,
            draw_key=str(row.recruit_id),
            school_key=str(row.school_id),
            recruit_id=relay.GlobalID("Recruit", str(row.recruit_id)),
            school_id=relay.GlobalID("Unit", str(row.school_id)),
            name=row.name,
        )


@strawberry.type(description="抽查：a verifiable random draw of development targets.")
class SpotCheck(relay.Node):
    id: relay.NodeID[int]
    name: str = strawberry.field(description="抽查名称。")
    commission_id: relay.GlobalID = strawberry.field(description="工委：the commission's ID.")
    state: SpotCheckState = strawberry.field(description="抽查状态。")
    algorithm: str = strawberry.field(
        description="抽取算法：the name of the documented algorithm (docs/spot-checks.md)."
    )
    per_school: int | None = strawberry.field(
        description="每校抽取人数：null when a share is drawn."
    )
    share: float | None = strawberry.field(
        description=fraction(
            "抽取比例：each school's share drawn, rounded up; null when a number is drawn."
        )
    )
    school_ids: list[relay.GlobalID] | None = strawberry.field(
        description="所抽学校：null for every school of the commission."
    )
    seed_sha256: str = strawberry.field(
        description="种子承诺值：SHA-256 of the seed, hex, published before the draw."
    )
    list_sha256: str = strawberry.field(
        description="名单摘要：SHA-256, hex, of the candidate list's text (one line "
        "`<schoolKey>\\t<drawKey>\\n` per candidate, in order)."
    )
    candidate_count: int = strawberry.field(description="名单人数：all schools together.")
    seed: str | None = strawberry.field(description="种子：revealed by the draw; null until then.")
    committed_at: datetime = strawberry.field(description="承诺时间：when the list was frozen.")
    drawn_at: datetime | None = strawberry.field(description="抽取时间：null until drawn.")

    @classmethod
    def from_row(cls, row: Any) -> SpotCheck:
        return cls(
            id=row.id,
            name=row.name,
            commission_id=relay.GlobalID("Unit", str(row.commission_id)),
            state=SpotCheckState(row.state),
            algorithm=ALGORITHM,
            per_school=row.per_school,
            share=None if row.share is None else float(row.share),
            school_ids=None
            if row.school_ids is None
            else [relay.GlobalID("Unit", str(s)) for s in row.school_ids],
            seed_sha256=bytes(row.seed_sha256).hex(),
            list_sha256=bytes(row.list_sha256).hex(),
            candidate_count=row.candidate_count,
            seed=row.seed,
            committed_at=row.committed_at,
            drawn_at=row.drawn_at,
        )

    @strawberry.field(
        description="抽查名单：the published candidates in canonical order, those the caller "
        "reads (a school sees its own)." + PAGING
    )
    async def candidates(
        self,
        info: strawberry.Info,
        school_id: Annotated[
            relay.GlobalID | None,
            strawberry.argument(description="学校：only this school's candidates."),
        ] = None,
        first: First = None,
        after: After = None,
        last: Last = None,
        before: Before = None,
    ) -> Connection[SpotCheckCandidate]:
        page = keyset(info.context.settings.max_page_size, first, after, last, before)
        session = await info.context.session()
        check = await service.visible(session, self.id)
        school = None if school_id is None else decode_id(school_id, "Unit", "schoolId")
        rows = await service.candidates_page(session, check, school_id=school, keyset=page)
        return await connection(info, rows, SpotCheckCandidate.from_row, key="ordinal")


@strawberry.type(description="抽查记录：the check of one drawn development target.")
class SpotCheckRecord(relay.Node):
    id: relay.NodeID[int]
    spot_check_id: relay.GlobalID = strawberry.field(description="抽查：the draw it came from.")
    recruit_id: relay.GlobalID = strawberry.field(description="发展对象：the recruit's ID.")
    school_id: relay.GlobalID = strawberry.field(description="学校：the recruit's school.")
    name: str = strawberry.field(description="姓名：as published in the candidate list.")
    ordinal: int = strawberry.field(description="名单序号：the candidate's place in the list.")
    rank: int = strawberry.field(description="抽中顺位：1 for the lowest ticket of its school.")
    ticket: str = strawberry.field(description="签值：HMAC-SHA256(seed, drawKey), hex.")
    finding: SpotCheckFinding = strawberry.field(description="抽查结论。")
    step: str | None = strawberry.field(
        description="问题环节：the step code (as `recordStep` takes it, lower case); null "
        "without an issue."
    )
    rule_id: str | None = strawberry.field(description="依据规则：the rule id cited.")
    article: str | None = strawberry.field(description="条款：the article of the rule cited.")
    note: str | None = strawberry.field(description="抽查意见。")
    found_at: datetime | None = strawberry.field(description="核查时间：null while pending.")
    follow_up: SpotCheckFollowUp = strawberry.field(description="整改状态。")
    follow_up_note: str | None = strawberry.field(description="整改情况：the school's report.")
    followed_up_at: datetime | None = strawberry.field(description="整改报告时间。")
    closing_note: str | None = strawberry.field(description="销号意见：the commission's.")
    closed_at: datetime | None = strawberry.field(description="销号时间。")

    @classmethod
    def from_row(cls, row: Any) -> SpotCheckRecord:
        return cls(
            id=row.id,
            spot_check_id=relay.GlobalID("SpotCheck", str(row.check_id)),
            recruit_id=relay.GlobalID("Recruit", str(row.recruit_id)),
            school_id=relay.GlobalID("Unit", str(row.school_id)),
            name=row.name,
            ordinal=row.ordinal,
            rank=row.rank,
            ticket=bytes(row.ticket).hex(),
            finding=SpotCheckFinding(row.finding),
            step=row.step_code,
            rule_id=row.rule_id,
            article=row.article,
            note=row.finding_note,
            found_at=row.found_at,
            follow_up=SpotCheckFollowUp(row.follow_up),
            follow_up_note=row.follow_up_note,
            followed_up_at=row.followed_up_at,
            closing_note=row.closing_note,
            closed_at=row.closed_at,
        )


@strawberry.type(description="抽查操作错误：why a spot-check mutation was refused.")
class SpotCheckError:
    code: SpotCheckErrorCodeEnum = strawberry.field(  # type: ignore[valid-type]
        description="错误代码：what was wrong."
    )
    field: str | None = strawberry.field(description=ERROR_FIELD)
    message: str = strawberry.field(description=ERROR_MESSAGE)


@strawberry.type(description="抽查操作结果：the check after the change, or the errors.")
class SpotCheckPayload:
    spot_check: SpotCheck | None = strawberry.field(
        description="抽查：as it stands now; null when refused."
    )
    errors: list[SpotCheckError] = strawberry.field(description=PAYLOAD_ERRORS)


@strawberry.type(description="抽查记录操作结果：the record after the change, or the errors.")
class SpotCheckRecordPayload:
    record: SpotCheckRecord | None = strawberry.field(
        description="抽查记录：as it stands now; null when refused."
    )
    errors: list[SpotCheckError] = strawberry.field(description=PAYLOAD_ERRORS)
