from __future__ import annotations

import strawberry
from strawberry import relay


@strawberry.input(
    description="名单：a branch's list of development targets for a period, given whole: it "
    "replaces the list (an empty list clears it)."
)
class NamedTargetsInput:
    period_id: relay.GlobalID = strawberry.field(description="计划期：a `PlanPeriod` id.")
    unit_id: relay.GlobalID = strawberry.field(description="党支部：a `Unit` id (a branch).")
    recruit_ids: list[relay.GlobalID] = strawberry.field(
        description="发展对象：`Recruit` ids, each once, development targets of the branch; "
        "errors name one by its position (`recruitIds.2` for the third)."
    )
