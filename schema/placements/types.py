"""Named targets' types: a branch's names in a period beside its places; plain fields over the
rows the service read (one statement for the names)."""

from __future__ import annotations

from collections.abc import Mapping

import strawberry
from strawberry import relay

from partyplan.resolvers.placements.errors import PlacementErrorCode
from partyplan.resolvers.placements.service import NamedTargetsView

from ..plans.types import PlanPeriod
from ..units.types import Unit
from ..wording import ERROR_FIELD, ERROR_MESSAGE, PAYLOAD_ERRORS, coded_enum


@strawberry.type(description="落实名额的发展对象：one recruit a branch named in the period.")
class NamedTarget:
    recruit_id: relay.GlobalID = strawberry.field(description="发展对象：a `Recruit` id.")
    recruit_name: str = strawberry.field(description="姓名")
    placed: bool = strawberry.field(
        description="已落实名额：the recruit holds one of the branch's places (placeQuota)."
    )
    forecast: bool = strawberry.field(
        description="列入预计名单：the recruit backs the branch's forecast (nameForecast)."
    )
    consumed: bool = strawberry.field(
        description="名额已使用：placed and admitted (step 17) at the branch within the period; "
        "the place stays counted and cannot be taken off."
    )


@strawberry.type(
    description="名额落实到人：a branch's places in a period and the development targets named "
    "on them and behind its forecast."
)
class NamedTargets:
    period: PlanPeriod = strawberry.field(description="计划期")
    unit: Unit = strawberry.field(description="党支部")
    places_received: int = strawberry.field(description="收到的名额（总数）")
    places_available: int = strawberry.field(
        description="可落实的名额：received − handed down − reserve; placed names never exceed it."
    )
    places_named: int = strawberry.field(
        description="已落实到人的名额：places held by named development targets (consumed ones "
        "included)."
    )
    places_without_names: int = strawberry.field(
        description="未落实到人的名额：placesAvailable − placesNamed."
    )
    forecast_names: int = strawberry.field(description="预计名单人数：names backing the forecast.")
    names_without_place: int = strawberry.field(
        description="有名无额：names backing the forecast that hold no place."
    )
    names: list[NamedTarget] = strawberry.field(
        description="名单：every recruit named, on either list, in the order first named."
    )

    @classmethod
    def of(cls, view: NamedTargetsView) -> NamedTargets:
        return cls(
            period=PlanPeriod.from_row(view.period),
            unit=Unit.from_row(view.unit),
            places_received=view.received,
            places_available=view.available,
            places_named=view.placed,
            places_without_names=max(view.available - view.placed, 0),
            forecast_names=view.forecast_names,
            names_without_place=view.names_without_place,
            names=[
                NamedTarget(
                    recruit_id=relay.GlobalID("Recruit", str(n.recruit_id)),
                    recruit_name=n.recruit_name,
                    placed=n.placed,
                    forecast=n.forecast,
                    consumed=view.consumed(n),
                )
                for n in view.names
            ],
        )


_E = PlacementErrorCode
PLACEMENT_CODES: Mapping[str, str] = {
    _E.NOT_A_BRANCH: "不是党支部：Places are put on names by a branch.",
    _E.INACTIVE_UNIT: "党组织已停用：The branch is inactive.",
    _E.PERIOD_CLOSED: "计划期已关闭：The period is read-only.",
    _E.PERIOD_NOT_ISSUED: "计划期未下达：Names are placed once the period is issued.",
    _E.TOO_MANY_NAMES: "名单过长：More ids than one list may hold.",
    _E.DUPLICATE_RECRUIT: "重复列出：The same recruit is listed twice; the field names the repeat.",
    _E.NOT_IN_BRANCH: "不属于本支部：The recruit belongs to another branch.",
    _E.NOT_A_DEVELOPMENT_TARGET: "不是发展对象：Only development targets (发展对象) may be named.",
    _E.PLACE_CONSUMED: "名额已使用：A recruit admitted on the place in the period cannot be "
    "taken off it.",
    _E.SHORTFALL: "名额不足：More names than the branch's available places; `shortfall` says "
    "how many places are missing.",
}

PlacementErrorCodeEnum = coded_enum(
    "PlacementErrorCode", "名额落实错误", PlacementErrorCode, PLACEMENT_CODES
)


@strawberry.type(description="名额落实错误：why placing or naming was refused.")
class PlacementError:
    code: PlacementErrorCodeEnum = strawberry.field(  # type: ignore[valid-type]
        description="错误代码：what was wrong."
    )
    field: str | None = strawberry.field(description=ERROR_FIELD)
    message: str = strawberry.field(description=ERROR_MESSAGE)
    shortfall: int | None = strawberry.field(
        description="缺口：places missing, for SHORTFALL; null for other codes."
    )


@strawberry.type(description="名额落实结果：the branch's names after the change, or the errors.")
class NamedTargetsPayload:
    named_targets: NamedTargets | None = strawberry.field(
        description="名额落实情况：the branch's names as changed; null when refused."
    )
    errors: list[PlacementError] = strawberry.field(description=PAYLOAD_ERRORS)
