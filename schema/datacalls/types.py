"""Data call types: the call with its form, the units' responses and the roll-up per level.
Plain fields over the rows the services return; ``responses``, ``rollup`` and ``downloadUrl``
resolve on demand."""

from __future__ import annotations

from datetime import date, datetime
from enum import Enum
from typing import Annotated, Any
from urllib.parse import urlencode

import strawberry
from strawberry import relay
from strawberry.scalars import JSON

from partyplan.auth.permissions import Permission
from partyplan.resolvers.datacalls import rules
from partyplan.resolvers.datacalls.errors import DataCallErrorCode
from partyplan.resolvers.datacalls.service import calls
from partyplan.resolvers.datacalls.service import rollup as rollups

from ..mutations import decode_id
from ..wording import ERROR_FIELD, ERROR_MESSAGE, PAYLOAD_ERRORS, coded_enum

DATA_CALL_CODES = {
    DataCallErrorCode.NOT_AN_ISSUER: "不能发起：Only a commission or a school issues a data "
    "call; the unit named is neither.",
    DataCallErrorCode.INVALID_FORM: "表单无效：A field of the form is wrong (its key, label, "
    "kind or validation); the field names it (`fields.2.options`).",
    DataCallErrorCode.INVALID_TEXT: "文本无效：The title is missing, too long or holds control "
    "characters.",
    DataCallErrorCode.INVALID_DUE_DATE: "截止日期无效：The due date has passed, or the "
    "reminder's working days are out of range.",
    DataCallErrorCode.INVALID_TARGET: "填报单位无效：A unit is not below the issuer in its "
    "tree, is deactivated, or is named twice; or none or too many are named.",
    DataCallErrorCode.NOT_ADDRESSED: "无需填报：The call was not sent to this unit.",
    DataCallErrorCode.CALL_CLOSED: "已关闭：The issuer closed the call; it takes no answer.",
    DataCallErrorCode.DUE_DATE_PASSED: "已过截止日期：The due date has passed; an answer given "
    "is no longer revised (a unit that never answered may still answer late).",
    DataCallErrorCode.INVALID_ANSWER: "填报内容无效：An answer does not fit its field (kind, "
    "range, options, length, characters); the field names it (`answers.<key>`).",
    DataCallErrorCode.MISSING_ANSWER: "缺少必填项：A required field of the form is not "
    "answered (`answers.<key>`).",
    DataCallErrorCode.UNKNOWN_FIELD: "无此字段：An answer names a key the form does not have.",
}

DataCallErrorCodeEnum = coded_enum(
    "DataCallErrorCode",
    "数据征集操作错误：why a data call mutation was refused.",
    DataCallErrorCode,
    DATA_CALL_CODES,
)


@strawberry.enum(description="字段类型：what a field of a data call's form takes.")
class DataCallFieldKind(Enum):
    NUMBER = strawberry.enum_value("number", description="数值（合计时求和）")
    TEXT = strawberry.enum_value("text", description="文本")
    CHOICE = strawberry.enum_value("choice", description="单选（合计时按选项计数）")
    DATE = strawberry.enum_value("date", description="日期")


@strawberry.enum(description="征集状态：where a data call stands.")
class DataCallState(Enum):
    OPEN = strawberry.enum_value("open", description="填报中（截止日期前：可填报，可修改）")
    PAST_DUE = strawberry.enum_value(
        "past_due", description="已过截止日期（未填报的单位仍可补报，已填报的不能再修改）"
    )
    CLOSED = strawberry.enum_value("closed", description="已关闭（不再接受填报）")


@strawberry.type(description="表单字段：one field of a data call's form, with its validation.")
class DataCallField:
    key: str = strawberry.field(description="字段键：the key of the answer in `answers`.")
    label: str = strawberry.field(description="字段名称：the field's Chinese label.")
    kind: DataCallFieldKind = strawberry.field(description="字段类型：what the field takes.")
    required: bool = strawberry.field(description="是否必填：true when an answer must give it.")
    min: float | None = strawberry.field(description="最小值：NUMBER only; null for none.")
    max: float | None = strawberry.field(description="最大值：NUMBER only; null for none.")
    decimals: int | None = strawberry.field(
        description="小数位数：NUMBER only: the decimal places an answer may carry (0: whole)."
    )
    max_length: int | None = strawberry.field(description="最大长度：TEXT only, in characters.")
    options: list[str] | None = strawberry.field(description="选项：CHOICE only, in order.")
    earliest: date | None = strawberry.field(description="最早日期：DATE only; null for none.")
    latest: date | None = strawberry.field(description="最晚日期：DATE only; null for none.")

    @classmethod
    def of(cls, spec: dict[str, Any]) -> DataCallField:
        def day(value: str | None) -> date | None:
            return None if value is None else date.fromisoformat(value)

        return cls(
            key=spec["key"],
            label=spec["label"],
            kind=DataCallFieldKind(spec["kind"]),
            required=spec["required"],
            min=spec.get("min"),
            max=spec.get("max"),
            decimals=spec.get("decimals"),
            max_length=spec.get("max_length"),
            options=spec.get("options"),
            earliest=day(spec.get("earliest")),
            latest=day(spec.get("latest")),
        )


@strawberry.type(description="单位填报情况：one unit's response to a data call.")
class DataCallResponse:
    unit_id: relay.GlobalID = strawberry.field(description="填报单位：the unit's global ID.")
    unit_name: str = strawberry.field(description="单位名称：the unit's name.")
    answered: bool = strawberry.field(description="是否已填报：false until the unit answers.")
    answers: JSON | None = strawberry.field(
        description="填报内容：an object keyed by the form's keys (fields left blank omitted); "
        "null until the unit answers."
    )
    answered_at: datetime | None = strawberry.field(description="填报时间：the first answer.")
    revised_at: datetime | None = strawberry.field(description="修改时间：the last revision.")
    revisions: int = strawberry.field(description="修改次数：how many times it was revised.")

    @classmethod
    def from_row(cls, row: Any) -> DataCallResponse:
        return cls(
            unit_id=relay.GlobalID("Unit", str(row.unit_id)),
            unit_name=row.unit_name,
            answered=row.answered_at is not None,
            answers=row.answers,
            answered_at=row.answered_at,
            revised_at=row.revised_at,
            revisions=row.revisions,
        )


@strawberry.type(description="汇总行：the figures of a unit's subtree (or of the unit itself).")
class DataCallRollupLine:
    unit_id: relay.GlobalID = strawberry.field(description="单位：the unit's global ID.")
    unit_name: str = strawberry.field(description="单位名称：the unit's name.")
    own: bool = strawberry.field(
        description="本级：true for the line of the unit itself (it must answer too)."
    )
    expected: int = strawberry.field(description="应报单位数：units that must answer.")
    answered: int = strawberry.field(description="已报单位数：units that have answered.")
    totals: JSON = strawberry.field(
        description="数值合计：an object, each NUMBER field's key → the sum of the answers."
    )
    choice_counts: JSON = strawberry.field(
        description="选项计数：an object, each CHOICE field's key → {option → units choosing it}."
    )

    @classmethod
    def of(cls, form: list[dict[str, Any]], line: Any, own: bool = False) -> DataCallRollupLine:
        return cls(
            unit_id=relay.GlobalID("Unit", str(line.unit_id)),
            unit_name=line.unit_name,
            own=own,
            expected=line.figures.expected,
            answered=line.figures.answered,
            totals=line.figures.totals(form),
            choice_counts=line.figures.choices(form),
        )


@strawberry.type(description="逐级汇总：a data call's answers rolled up at one unit.")
class DataCallRollup:
    unit_id: relay.GlobalID = strawberry.field(description="汇总单位：the unit rolled up at.")
    unit_name: str = strawberry.field(description="单位名称：its name.")
    lines: list[DataCallRollupLine] = strawberry.field(
        description="各下级：a line per child with units to answer below it, in tree order, "
        "then the unit's own line when it must answer itself."
    )
    total: DataCallRollupLine = strawberry.field(
        description="合计：the sum of the lines (every unit to answer at or below the unit)."
    )


def workbook_path(call_id: int) -> str:
    """The path of a call's workbook (``GET``, ``server/exports_datacalls.py``)."""
    return f"/datacalls/{call_id}.xlsx"


@strawberry.type(
    description="数据征集：a form a commission or a school sends down, with a due date."
)
class DataCall(relay.Node):
    id: relay.NodeID[int]
    title: str = strawberry.field(description="标题：what is asked for.")
    due_on: date = strawberry.field(description="截止日期：the last day to answer (Beijing time).")
    state: DataCallState = strawberry.field(description="征集状态：where the call stands today.")
    issuer_id: relay.GlobalID = strawberry.field(description="发起单位：the issuer's global ID.")
    issuer_name: str = strawberry.field(description="发起单位名称：the issuer's name.")
    fields: list[DataCallField] = strawberry.field(description="表单：the form, in order.")
    remind_working_days: int | None = strawberry.field(
        description="提前提醒工作日数：working days before the due date a reminder is raised; "
        "null: the commission's warning rule (DATA_CALL_DUE `working_days`)."
    )
    created_at: datetime = strawberry.field(description="发起时间：when it was issued.")
    closed_at: datetime | None = strawberry.field(
        description="关闭时间：when the issuer closed it; null while it is not closed."
    )
    workbook_path: str = strawberry.field(
        description="汇总表路径：the workbook's route (`GET`, with the Authorization header)."
    )
    raw_form: strawberry.Private[list[dict[str, Any]]]

    @classmethod
    def from_row(cls, row: Any, today: date) -> DataCall:
        return cls(
            id=row.id,
            title=row.title,
            due_on=row.due_on,
            state=DataCallState(rules.standing(row.due_on, row.closed_at is not None, today).value),
            issuer_id=relay.GlobalID("Unit", str(row.unit_id)),
            issuer_name=row.issuer_name,
            fields=[DataCallField.of(spec) for spec in row.form],
            remind_working_days=row.remind_working_days,
            created_at=row.created_at,
            closed_at=row.closed_at,
            workbook_path=workbook_path(row.id),
            raw_form=row.form,
        )

    @strawberry.field(
        description="汇总表下载链接：the roll-up workbook (a sheet per level with totals, and "
        "every unit's answers) as a link that needs no header: a relative URL whose `token` "
        "opens this workbook only, for the caller only, for a few minutes. A credential: do "
        "not share it."
    )
    def download_url(self, info: strawberry.Info) -> str:
        path = workbook_path(self.id)
        return f"{path}?{urlencode({'token': info.context.download_link(path)})}"

    @strawberry.field(
        description="各单位填报情况：the responses of the units at or below `under` (default: "
        "every unit the caller reads), in tree order. Requires `plan.read` there."
    )
    async def responses(
        self,
        info: strawberry.Info,
        under: Annotated[
            relay.GlobalID | None,
            strawberry.argument(description="范围：only units at or below this one."),
        ] = None,
    ) -> list[DataCallResponse]:
        session = await info.context.session()
        result = await rollups.rollup(
            session,
            call_id=self.id,
            under_id=None if under is None else decode_id(under, "Unit", "under"),
        )
        return [DataCallResponse.from_row(r) for r in result.responses]

    @strawberry.field(
        description="逐级汇总：the answers rolled up at `under` (default: the issuer, or for a "
        "caller below it the caller's own unit holding the units it was sent to): a line per "
        "child, totals. Requires `plan.read` there."
    )
    async def rollup(
        self,
        info: strawberry.Info,
        under: Annotated[
            relay.GlobalID | None,
            strawberry.argument(description="汇总单位：the unit to roll up at."),
        ] = None,
    ) -> DataCallRollup:
        session = await info.context.session()
        result = await rollups.rollup(
            session,
            call_id=self.id,
            under_id=None if under is None else decode_id(under, "Unit", "under"),
        )
        level = result.levels[0]
        form = self.raw_form
        lines = [DataCallRollupLine.of(form, line) for line in level.lines]
        if level.own is not None:
            lines.append(DataCallRollupLine.of(form, level.own, own=True))
        total = rollups.Line(level.unit_id, level.unit_name, level.unit_path, level.total)
        return DataCallRollup(
            unit_id=relay.GlobalID("Unit", str(level.unit_id)),
            unit_name=level.unit_name,
            lines=lines,
            total=DataCallRollupLine.of(form, total),
        )


async def resolve_data_call_node(info: strawberry.Info, call_id: int) -> tuple[DataCall, str]:
    session = await info.context.session()
    found = await calls.reach(session, call_id, Permission.PLAN_READ)
    return DataCall.from_row(
        found.row, calls.today_in(info.context.settings.timezone)
    ), found.paths[0]


@strawberry.type(description="数据征集操作错误：why a data call mutation was refused.")
class DataCallError:
    code: DataCallErrorCodeEnum = strawberry.field(  # type: ignore[valid-type]
        description="错误代码：what was wrong."
    )
    field: str | None = strawberry.field(description=ERROR_FIELD)
    message: str = strawberry.field(description=ERROR_MESSAGE)


@strawberry.type(description="数据征集操作结果：the call after the change, or the errors.")
class DataCallPayload:
    data_call: DataCall | None = strawberry.field(
        description="数据征集：the call as it stands now; null when refused."
    )
    errors: list[DataCallError] = strawberry.field(description=PAYLOAD_ERRORS)


@strawberry.type(description="填报结果：the unit's response after the answer, or the errors.")
class DataCallAnswerPayload:
    response: DataCallResponse | None = strawberry.field(
        description="填报情况：the unit's response as it stands now; null when refused."
    )
    errors: list[DataCallError] = strawberry.field(description=PAYLOAD_ERRORS)
