"""The next-year proposal (计划完成情况与下年度计划安排挂钩) and the commission's parameters
it is computed with, as the schema shows them."""

from __future__ import annotations

from typing import Any

import strawberry

from partyplan.resolvers.plans.linkage import LinkageRules

from ..units.types import Unit
from ..wording import fraction
from .types import PlanPeriod

#: The parameters in force until a commission sets its own, quoted in the descriptions.
_DEFAULTS = LinkageRules()


@strawberry.type(description="下年度计划建议（计划完成情况与下年度计划安排挂钩）。")
class PlanSuggestion:
    period: PlanPeriod = strawberry.field(description="计划期：the period the proposal draws on.")
    next_period: PlanPeriod | None = strawberry.field(
        description="下一计划期：the commission's next period of the same kind; null until it is "
        "defined."
    )
    unit: Unit = strawberry.field(description="单位：the unit the proposal is for.")
    received: int = strawberry.field(
        description="收到的计划数：the total places the unit received in the period."
    )
    admitted: int = strawberry.field(
        description="接收预备党员数：admissions counted against the period."
    )
    completion_rate: float = strawberry.field(
        description=fraction(
            "完成率：admitted ÷ received, to 4 decimals (above 1 when over plan); 0 when nothing "
            "was received."
        )
    )
    band: str = strawberry.field(
        description="完成档次：`full`, `partial` or `low`: which growth factor applied."
    )
    proposal: int = strawberry.field(
        description="按增长系数的建议数：round(received × growth factor), halves up."
    )
    cap: int = strawberry.field(
        description="上限：floor(admitted × capRatioOfActual), e.g. 120% of last year's actual."
    )
    suggested: int = strawberry.field(description="建议计划数：min(proposal, cap).")
    rules: LinkageRulesType = strawberry.field(description="挂钩参数：the parameters that applied.")


@strawberry.type(
    name="LinkageRules",
    description="下年度计划挂钩参数（工委可改）：see `PlanSuggestion` for the formula.",
)
class LinkageRulesType:
    full_completion_rate: float = strawberry.field(
        description=fraction(
            f"完成率达到此值视为完成：0–1, default {_DEFAULTS.full_completion_rate}."
        )
    )
    low_completion_rate: float = strawberry.field(
        description=fraction(
            "完成率低于此值视为偏低：0–1, at most `fullCompletionRate`, default "
            f"{_DEFAULTS.low_completion_rate}."
        )
    )
    growth_when_full: float = strawberry.field(
        description="完成时的增长系数：the growth factor for the band `full`, default "
        f"{_DEFAULTS.growth_when_full}."
    )
    growth_when_partial: float = strawberry.field(
        description="基本完成时的增长系数：the growth factor for the band `partial`, default "
        f"{_DEFAULTS.growth_when_partial}."
    )
    growth_when_low: float = strawberry.field(
        description="完成率偏低时的增长系数：the growth factor for the band `low`, default "
        f"{_DEFAULTS.growth_when_low}."
    )
    cap_ratio_of_actual: float = strawberry.field(
        description="不超过上年实际发展数的倍数：the cap as a multiple of the admissions, default "
        f"{_DEFAULTS.cap_ratio_of_actual}."
    )

    @classmethod
    def of(cls, rules: Any) -> LinkageRulesType:
        names = (
            "full_completion_rate",
            "low_completion_rate",
            "growth_when_full",
            "growth_when_partial",
            "growth_when_low",
            "cap_ratio_of_actual",
        )
        return cls(**{n: float(getattr(rules, n)) for n in names})
