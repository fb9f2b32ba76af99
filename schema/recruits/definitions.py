"""The procedure as the schema shows it: ``stepDefinitions``, every step of the step table
(``resolvers/recruits/rules/steps.py``) with the data it carries, so a front end builds its
forms from the API rather than from a copy of the table. Everything here is read from that
table; nothing is restated."""

from __future__ import annotations

from enum import Enum
from typing import Annotated, Any

import strawberry

from partyplan.resolvers.recruits.rules.data_keys import camel
from partyplan.resolvers.recruits.rules.steps import (
    ACTOR_NAMES,
    PHASE_NAMES,
    STEPS,
    Actor,
    FieldKind,
    FieldSpec,
    Phase,
    Step,
)

from ..cost import MAX_ITEMS
from ..enums import by_value
from ..permissions import described
from .types import ProcedureStep, RecruitStage

StepFieldKind = strawberry.enum(
    Enum(  # type: ignore[misc]
        "StepFieldKind",
        {
            FieldKind.INTEGER.name: strawberry.enum_value(
                FieldKind.INTEGER.value, description="非负整数：A count, 0 or more."
            ),
            FieldKind.TEXT.name: strawberry.enum_value(
                FieldKind.TEXT.value, description="文本：A string."
            ),
            FieldKind.DATE.name: strawberry.enum_value(
                FieldKind.DATE.value, description="日期：A calendar date, YYYY-MM-DD."
            ),
            FieldKind.MEMBERS.name: strawberry.enum_value(
                FieldKind.MEMBERS.value,
                description="党员编号列表：A list of member codes of the school's roster.",
            ),
            FieldKind.CHOICE.name: strawberry.enum_value(
                FieldKind.CHOICE.value, description="选项：One of the field's `choices`."
            ),
        },
    ),
    description="步骤数据项的类型：INTEGER 非负整数；TEXT 文本；DATE 日期（YYYY-MM-DD）；"
    "MEMBERS 党员编号列表；CHOICE 取 choices 之一",
)

ProcedurePhase = strawberry.enum(
    Enum(  # type: ignore[misc]
        "ProcedurePhase",
        {p.name: strawberry.enum_value(p.value, description=PHASE_NAMES[p]) for p in Phase},
    ),
    description="发展党员工作的五个阶段：The five phases of the procedure.",
)

StepActor = strawberry.enum(
    Enum(  # type: ignore[misc]
        "StepActor",
        {a.name: strawberry.enum_value(a.value, description=ACTOR_NAMES[a]) for a in Actor},
    ),
    description="步骤的实施主体：Who carries a step out (and who records it).",
)

_phase, _actor = by_value(ProcedurePhase), by_value(StepActor)
_stage, _step = by_value(RecruitStage), by_value(ProcedureStep)

#: The most items each list below can hold, from the table: what the cost limit counts.
_MOST_FIELDS = max(len(s.fields) for s in STEPS)
_MOST_CHOICES = max((len(f.choices) for s in STEPS for f in s.fields), default=0)


@strawberry.type(description="选项：CHOICE 数据项的一个取值 (one value a CHOICE field takes).")
class StepChoice:
    value: str = strawberry.field(description="取值：The value sent in `data` and stored.")
    label: str | None = strawberry.field(description="官方用语：The official term, for display.")


@strawberry.type(description="步骤 data 中的一个数据项：One key a step's `data` carries.")
class StepField:
    name: str = strawberry.field(
        description="键名：The key in `data`, camelCase like the rest of the API (`inFavour`); "
        "the `storedKey` spelling is accepted too."
    )
    stored_key: str = strawberry.field(
        description="存储键名：The key as stored and as `RecordedStep.data` returns it "
        "(snake_case)."
    )
    kind: StepFieldKind = strawberry.field(  # type: ignore[valid-type]
        description="类型：What the value is."
    )
    label: str = strawberry.field(description="官方用语：The official Chinese term, for labels.")
    required: bool = strawberry.field(description="必填：Whether recording the step needs it.")
    choices: list[StepChoice] = strawberry.field(
        description="选项：For CHOICE, the values it takes; empty for the other kinds.",
        metadata={MAX_ITEMS: _MOST_CHOICES},
    )

    @classmethod
    def of(cls, spec: FieldSpec) -> StepField:
        return cls(
            name=camel(spec.name),
            stored_key=spec.name,
            kind=spec.kind,
            label=spec.label,
            required=spec.required,
            choices=[StepChoice(value=c.value, label=c.label) for c in spec.choices],
        )


@strawberry.type(
    description="发展党员工作流程中的一个步骤（或两个流程外事项之一）及其数据项：One step of "
    "the procedure, what it requires and what it records."
)
class StepDefinition:
    number: int | None = strawberry.field(
        description="步骤序号 1–25；延长预备期、取消预备党员资格为 null"
    )
    code: ProcedureStep = strawberry.field(  # type: ignore[valid-type]
        description="步骤代码：The value `recordStep` takes as `step`."
    )
    name: str = strawberry.field(description="步骤名称：The official name (细则).")
    phase: ProcedurePhase = strawberry.field(  # type: ignore[valid-type]
        description="阶段：The phase the step belongs to."
    )
    phase_name: str = strawberry.field(description="阶段名称：The phase's official name.")
    actor: StepActor = strawberry.field(  # type: ignore[valid-type]
        description="实施主体：Who carries the step out."
    )
    actor_name: str = strawberry.field(description="实施主体名称：The actor's official name.")
    article: str = strawberry.field(
        description="《中国共产党发展党员工作细则》的条款：The article the step follows."
    )
    repeatable: bool = strawberry.field(description="可重复：Recorded each time it takes place.")
    requires: list[ProcedureStep] = strawberry.field(  # type: ignore[valid-type]
        description="前置步骤：Steps recorded first (on or before its date)."
    )
    enters: RecruitStage | None = strawberry.field(
        description="进入阶段：The stage recording it enters; null: the stage stays."
    )
    fields: list[StepField] = strawberry.field(
        description="数据项：What its `data` carries, in order.",
        metadata={MAX_ITEMS: _MOST_FIELDS},
    )

    @classmethod
    def of(cls, step: Step) -> StepDefinition:
        return cls(
            number=step.number,
            code=_step(step.code),
            name=step.name,
            phase=_phase(step.phase.value),
            phase_name=PHASE_NAMES[step.phase],
            actor=_actor(step.actor.value),
            actor_name=ACTOR_NAMES[step.actor],
            article=step.article,
            repeatable=step.repeatable,
            requires=[_step(code) for code in step.requires],
            enters=None if step.enters is None else _stage(step.enters.value),
            fields=[StepField.of(spec) for spec in step.fields],
        )


#: Built once: the table is immutable.
_DEFINITIONS: dict[str, StepDefinition] = {s.code: StepDefinition.of(s) for s in STEPS}


@strawberry.type
class StepDefinitionQueries:
    @strawberry.field(
        description=described(
            "发展党员工作流程：The recruitment procedure, public: every step in order (the 25, then 延长预备期 and "
            "取消预备党员资格), or the one `code` names, with the fields its `data` carries."
        ),
        metadata={MAX_ITEMS: len(STEPS)},
    )
    async def step_definitions(
        self,
        info: strawberry.Info,
        code: Annotated[
            ProcedureStep | None,  # type: ignore[valid-type]
            strawberry.argument(description="步骤代码：Only this step; all when left out."),
        ] = None,
    ) -> list[StepDefinition]:
        await info.context.session()  # authenticates: no token, UNAUTHENTICATED
        if code is None:
            return list(_DEFINITIONS.values())
        return [_DEFINITIONS[_value(code)]]


def _value(code: Any) -> str:
    return code.value if isinstance(code, Enum) else str(code)
