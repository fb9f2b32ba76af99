"""Inputs of the data call mutations."""

from __future__ import annotations

from datetime import date
from typing import Any

import strawberry
from strawberry import relay
from strawberry.scalars import JSON

from .types import DataCallFieldKind


@strawberry.input(description="表单字段：one field of the form, with its validation.")
class DataCallFieldInput:
    key: str = strawberry.field(
        description="字段键：the answers' key: a lowercase ASCII letter, then letters, digits "
        "or `_`, at most 40 (e.g. `highKnowledgeTeachers`)."
    )
    label: str = strawberry.field(description="字段名称：the Chinese label, at most 60 characters.")
    kind: DataCallFieldKind = strawberry.field(description="字段类型：what the field takes.")
    required: bool = strawberry.field(default=True, description="是否必填：true by default.")
    min: float | None = strawberry.field(default=None, description="最小值：NUMBER only.")
    max: float | None = strawberry.field(default=None, description="最大值：NUMBER only.")
    decimals: int = strawberry.field(
        default=0, description="小数位数：NUMBER only, 0–2 (0, the default: whole numbers)."
    )
    max_length: int | None = strawberry.field(
        default=None, description="最大长度：TEXT only, 1–2000 characters (default 500)."
    )
    options: list[str] | None = strawberry.field(
        default=None, description="选项：CHOICE only, 2–50 distinct labels."
    )
    earliest: date | None = strawberry.field(default=None, description="最早日期：DATE only.")
    latest: date | None = strawberry.field(default=None, description="最晚日期：DATE only.")

    def as_spec(self) -> dict[str, Any]:
        return {
            "key": self.key,
            "label": self.label,
            "kind": self.kind.value,
            "required": self.required,
            "min": self.min,
            "max": self.max,
            "decimals": self.decimals,
            "max_length": self.max_length,
            "options": self.options,
            "earliest": self.earliest,
            "latest": self.latest,
        }


@strawberry.input(description="发起数据征集：a form sent down to units, with a due date.")
class IssueDataCallInput:
    issuer_id: relay.GlobalID = strawberry.field(
        description="发起单位：the commission or school issuing the call."
    )
    title: str = strawberry.field(description="标题：what is asked for, at most 100 characters.")
    due_on: date = strawberry.field(description="截止日期：the last day to answer; not past.")
    fields: list[DataCallFieldInput] = strawberry.field(
        description="表单：1–50 fields, in the order shown."
    )
    unit_ids: list[relay.GlobalID] = strawberry.field(
        description="填报单位：1–2000 active units below the issuer, in its tree."
    )
    remind_working_days: int | None = strawberry.field(
        default=None,
        description="提前提醒工作日数：0–60 working days before the due date a reminder is "
        "raised to units that have not answered; null: the commission's warning rule.",
    )


@strawberry.input(description="填报数据征集：a unit's answers (first answer or revision).")
class AnswerDataCallInput:
    data_call_id: relay.GlobalID = strawberry.field(description="数据征集：the call's global ID.")
    unit_id: relay.GlobalID = strawberry.field(
        description="填报单位：the unit answering (one the call was sent to)."
    )
    answers: JSON = strawberry.field(
        description="填报内容：an object keyed by the form's keys: a NUMBER a JSON number, a "
        "TEXT or CHOICE a string, a DATE `YYYY-MM-DD`; a field left out or null is blank. "
        'E.g. {"teachers": 12, "level": "甲"}. A revision replaces the whole answer.'
    )


@strawberry.input(description="关闭数据征集：stop taking answers.")
class CloseDataCallInput:
    data_call_id: relay.GlobalID = strawberry.field(description="数据征集：the call's global ID.")
