"""Allocation quality as the API shows it: each subdivision's score, flags and explanation,
with the figures of every child it was judged on; the commission's thresholds."""

from __future__ import annotations

from datetime import datetime

import strawberry
from strawberry import relay
from strawberry.scalars import JSON

from partyplan.resolvers.allocation_quality.errors import AllocationQualityErrorCode
from partyplan.resolvers.allocation_quality.service import RuleView, Subdivision

from ..wording import ERROR_FIELD, ERROR_MESSAGE, PAYLOAD_ERRORS, coded_enum, fraction

_THRESHOLDS = (
    "`pipeline_fit` and `ratio_match` are fits (0–1); `equal_tolerance`, `rounding`, "
    "`min_places` are places; `min_children` units."
)

ALLOCATION_QUALITY_CODES = {
    AllocationQualityErrorCode.INVALID_RULE: "规则参数无效：A threshold is unknown or out of "
    "range, or `params` is not an object; the field names the threshold.",
    AllocationQualityErrorCode.NOT_A_COMMISSION: "不是工委：The thresholds belong to a "
    "commission; the unit named is not one.",
}

AllocationQualityErrorCodeEnum = coded_enum(
    "AllocationQualityErrorCode",
    "分配质量规则错误：why setAllocationQualityRule was refused.",
    AllocationQualityErrorCode,
    ALLOCATION_QUALITY_CODES,
)


@strawberry.type(description="下级党组织的名额与依据：one child of a subdivision.")
class AllocationShare:
    unit_id: relay.GlobalID = strawberry.field(description="下级党组织：the child unit's ID.")
    unit_name: str = strawberry.field(description="名称。")
    places: int = strawberry.field(description="名额：the places the child holds in the period.")
    high_knowledge: int = strawberry.field(description="其中高知识群体名额。")
    activists: int = strawberry.field(description="入党积极分子：over the child's subtree.")
    development_targets: int = strawberry.field(description="发展对象：over the child's subtree.")
    headcount: int = strawberry.field(
        description="党员人数：members on the roster (not left) at or below the child."
    )
    by_pipeline: float = strawberry.field(
        description="按储备应得：places × the child's share of the pipeline (activists and "
        "development targets); 0 when no child has any."
    )
    by_headcount: float | None = strawberry.field(
        description="按人数应得：places × the child's share of the headcount; null when the "
        "roster is empty."
    )


@strawberry.type(
    description="名额分解质量：how a unit's subdivision of its places among its children fits "
    "their pipeline; flags equal splits (平均分计划) and flat ratios (简单卡比例). Never blocks "
    "an allocation."
)
class AllocationQuality:
    unit_id: relay.GlobalID = strawberry.field(description="分解单位：the unit that subdivided.")
    unit_name: str = strawberry.field(description="名称。")
    handed: int = strawberry.field(description="已下达：places the unit handed down in all.")
    places: int = strawberry.field(description="下级持有名额：the children's places summed.")
    assessed: bool = strawberry.field(
        description="是否评估：false when too few children or places (see the thresholds)."
    )
    score: float | None = strawberry.field(
        description=fraction(
            "评分（储备吻合度）：1 when every child's places are within rounding of its share of "
            "the pipeline, lower as places lie elsewhere; null when not assessed."
        )
    )
    headcount_fit: float | None = strawberry.field(
        description=fraction("按人数吻合度：the same fit against the headcount; null without one.")
    )
    equal_split: bool = strawberry.field(
        description="平均分计划：every child the same number (within the tolerance) though their "
        "pipelines differ."
    )
    flat_ratio: bool = strawberry.field(
        description="简单卡比例：places proportional to the headcount, with no regard to the "
        "pipeline or the high-knowledge group."
    )
    explanation: str = strawberry.field(description="说明：the judgement in Chinese, with figures.")
    children: list[AllocationShare] = strawberry.field(description="下级党组织：by unit id.")

    @classmethod
    def of(cls, s: Subdivision) -> AllocationQuality:
        a = s.assessment
        return cls(
            unit_id=relay.GlobalID("Unit", str(s.unit.id)),
            unit_name=s.unit.name,
            handed=s.unit.handed_total,
            places=a.places,
            assessed=a.assessed,
            score=a.score,
            headcount_fit=a.headcount_fit,
            equal_split=a.equal_split,
            flat_ratio=a.flat_ratio,
            explanation=a.explanation,
            children=[
                AllocationShare(
                    unit_id=relay.GlobalID("Unit", str(c.unit_id)),
                    unit_name=c.name,
                    places=c.places,
                    high_knowledge=c.high_knowledge,
                    activists=c.activists,
                    development_targets=c.development_targets,
                    headcount=c.headcount,
                    by_pipeline=round(a.by_pipeline[i], 4) if a.by_pipeline else 0.0,
                    by_headcount=None if a.by_headcount is None else round(a.by_headcount[i], 4),
                )
                for i, c in enumerate(s.children)
            ],
        )


@strawberry.type(description="分配质量规则：the commission's thresholds (editable).")
class AllocationQualityRule:
    params: JSON = strawberry.field(
        description=fraction(f"参数：the thresholds in force (defaults filled in). {_THRESHOLDS}")
    )
    defaults: JSON = strawberry.field(
        description=f"默认参数：the documented defaults. {_THRESHOLDS}"
    )
    updated_at: datetime | None = strawberry.field(
        description="修改时间：null if the commission never changed them."
    )

    @classmethod
    def of(cls, view: RuleView) -> AllocationQualityRule:
        return cls(params=view.params, defaults=view.defaults, updated_at=view.updated_at)


@strawberry.type(description="分配质量规则错误。")
class AllocationQualityError:
    code: AllocationQualityErrorCodeEnum = strawberry.field(  # type: ignore[valid-type]
        description="错误代码：what was wrong."
    )
    field: str | None = strawberry.field(description=ERROR_FIELD)
    message: str = strawberry.field(description=ERROR_MESSAGE)


@strawberry.type(description="分配质量规则设置结果。")
class AllocationQualityRulePayload:
    rule: AllocationQualityRule | None = strawberry.field(
        description="规则：as it stands now; null when refused."
    )
    errors: list[AllocationQualityError] = strawberry.field(description=PAYLOAD_ERRORS)


@strawberry.input(description="设置分配质量规则：the thresholds to change.")
class SetAllocationQualityRuleInput:
    commission_id: relay.GlobalID = strawberry.field(description="工委：the commission's ID.")
    params: JSON = strawberry.field(
        description=fraction(
            '参数：the thresholds to change, an object (others keep their defaults), e.g. {"pipeline_fit":'
            f" 0.85}}. {_THRESHOLDS}"
        )
    )
