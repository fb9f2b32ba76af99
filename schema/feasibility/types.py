"""The feasible admissions beside a line's quota and forecast (docs/feasible-admissions.md):
``count`` and ``byStage`` from one batched aggregate over every line asked for, ``earliestDates``
from a second, run only when selected."""

from __future__ import annotations

from datetime import date

import strawberry

from partyplan.resolvers.feasibility.rules import STAGES, Feasible

from ..cost import MAX_ITEMS
from ..recruits.types import RecruitStage
from . import loaders


@strawberry.type(description="按当前阶段的可发展人数：how many of one stage can still be admitted.")
class FeasibleStageCount:
    stage: RecruitStage = strawberry.field(
        description="发展阶段：the recruits' stage today (申请人、积极分子或发展对象)."
    )
    count: int = strawberry.field(
        description="人数：how many of them can be admitted by the period's end (0 included)."
    )


@strawberry.type(
    description="最早可接收日期及人数：how many can be admitted at the earliest on a day."
)
class FeasibleDate:
    on: date = strawberry.field(description="最早可接收日期：the earliest day of their admission.")
    count: int = strawberry.field(
        description="人数：how many can be admitted on that day at the earliest."
    )


def _dates(figure: Feasible, _: loaders.LineKey) -> list[FeasibleDate]:
    return [FeasibleDate(on=on, count=n) for on, n in figure.dates()]


_DATES = loaders.feasible_by_line(_dates, dated=True)


@strawberry.type(
    description="可发展数（按程序测算）：how many admissions the rules still allow before the "
    "period ends, from each recruit's recorded steps, the rule table's minimum intervals and "
    "validities (province overlays included) and today: each step still needed is placed on "
    "the earliest day the rules accept (not before today), and a recruit counts when its "
    "admission (step 17) falls by the period's end. Filed high-level talents, who take no "
    "place, are not counted; nor are admissions already made (see `admitted`)."
)
class FeasibleAdmissions:
    count: int = strawberry.field(
        description="可发展人数：recruits who can still be admitted in the period."
    )
    by_stage: list[FeasibleStageCount] = strawberry.field(
        description="按阶段：`count` by the recruits' stage today, in procedure order.",
        metadata={MAX_ITEMS: len(STAGES)},
    )
    key: strawberry.Private[loaders.LineKey]

    @strawberry.field(
        description="最早可接收日期：`count` by the earliest day of the admission, earliest "
        "first; only days with someone."
    )
    async def earliest_dates(self, info: strawberry.Info) -> list[FeasibleDate]:
        found = await info.context.loader("feasible_dates", _DATES).load(self.key)
        return found or []

    @classmethod
    def of(cls, figure: Feasible, key: loaders.LineKey) -> FeasibleAdmissions:
        return cls(
            count=figure.count,
            by_stage=[
                FeasibleStageCount(stage=RecruitStage(stage), count=n)
                for stage, n in figure.stages()
            ],
            key=key,
        )


_COUNTS = loaders.feasible_by_line(FeasibleAdmissions.of, dated=False)

FEASIBLE_DESCRIPTION = (
    "可发展数（按程序测算）：how many admissions the rules still allow in the period, beside "
    "the quota and forecast; null when the period is closed or has ended."
)


async def load_feasible(
    info: strawberry.Info, unit_id: int, period_id: int
) -> FeasibleAdmissions | None:
    """A line's feasible admissions, batched over every line of the request."""
    return await info.context.loader("feasible_counts", _COUNTS).load((unit_id, period_id))
