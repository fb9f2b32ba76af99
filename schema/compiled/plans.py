"""``plan`` compiled: a unit's plan line and its children's (the branch table), answered by one
statement over the lines (``resolvers/plans/repository/lines.py``, the ordinary resolver's own
statement as the CTE ``lines``) after the same checks (``plan_scope``: the period, the
unit, ``plan.read``).

What is compiled: ``line`` and ``children`` with every figure a line holds (``available`` taken
in SQL as the resolver takes it), the forecast with its remark and time, a line's ``unit`` (null
where the caller may not read units, as the unit loader answers), and the children's sums
``childrenForecast`` and ``childrenReceived``. Not compiled, so the document runs as before: the
plan's ``period``, ``unit`` and ``targets``, and a line's ``feasibleAdmissions``."""

from __future__ import annotations

from typing import Any

from partyplan.resolvers.jsonsql import timestamp
from partyplan.resolvers.plans.service import reads
from partyplan.tenants.session import Session

from .lines import LinesField
from .objects import ObjectSql, column, prefixed, same_row
from .recruits import UNIT
from .rollups import amounts
from .selection import Selected

FORECAST = ObjectSql(
    "Forecast",
    {
        "remark": column("forecast_remark"),
        "submittedAt": lambda columns: timestamp(columns("forecast_at")),
    },
    objects={"amounts": (amounts("forecast_"), same_row)},
)

LINE = ObjectSql(
    "PlanLine",
    {
        "position": column("position"),
        "unitName": column("unit_name"),
        "admitted": column("admitted"),
    },
    objects={
        "received": (amounts("received_"), same_row),
        "handedDown": (amounts("handed_"), same_row),
        "reserve": (amounts("reserve_"), same_row),
        "available": (amounts("received_", "handed_", "reserve_"), same_row),
        "forecast": (FORECAST, same_row),
        "subtreeForecast": (amounts("subtree_forecast_"), same_row),
        "unit": (UNIT, prefixed("unit_")),
    },
    present={"unit": lambda columns: columns("unit_readable")},
)

#: The children's sums: a line's columns summed over the children (``LinesInSql.children_sum``).
SUMS = {
    "childrenForecast": amounts("subtree_forecast_"),
    "childrenReceived": amounts("received_"),
}


class PlanField(LinesField):
    """The root field ``plan`` of one known document, checked when it is compiled."""

    line = LINE
    sums = SUMS

    def __init__(self, selected: Selected) -> None:
        super().__init__(selected)
        self._statement = reads.lines_statement(self.build)

    async def run(self, context: Any, session: Session, arguments: dict[str, Any]) -> str:
        return await self.answer(reads.plan_json, session, arguments, self._statement)
