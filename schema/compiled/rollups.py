"""``rollup`` compiled: a unit's line and its children's lines, answered by one statement over
the tallies (``resolvers/rollups/service.rollup_json``, the ordinary resolver's own statement
as a CTE) after the same checks (``plan_scope``: the period, the unit, ``plan.read``).

What is compiled: ``line`` and ``children`` with every figure a line stores — the quota amounts,
the forecasts, the tallies' figures, ``completionRate`` (rounded in SQL as ``service.ratio``
rounds it), the named targets'. Not compiled, so the document runs as before: the unit and the
period objects, ``targets``, ``months``, ``years``, and a line's ``unit``, ``openWarnings`` and
``feasibleAdmissions`` (each resolved through loaders)."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from partyplan.models.rollups import ADMISSION_FIGURES, PIPELINE_FIGURES
from partyplan.resolvers.plans.rules import DIMENSIONS
from partyplan.resolvers.rollups import service
from partyplan.tenants.session import Session

from ..units.types import UnitKind
from .lines import LinesField
from .objects import Columns, Leaf, ObjectSql, column, enum, node_id, same_row
from .selection import Selected


def _camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(part.capitalize() for part in rest)


def amounts(prefix: str, *minus: str) -> ObjectSql:
    """A QuotaAmounts read from ``<prefix><dimension>`` (less each ``<minus><dimension>``)."""

    def read(dimension: str) -> Leaf:
        if not minus:
            return column(prefix + dimension)

        def difference(columns: Columns) -> sa.ColumnElement[Any]:
            value = columns(prefix + dimension)
            for other in minus:
                value = value - columns(other + dimension)
            return value

        return difference

    return ObjectSql("QuotaAmounts", {_camel(d): read(d) for d in DIMENSIONS})


def _plan(columns: Columns) -> sa.ColumnElement[Any]:
    """``service.plan_figure``: a commission's plan is what it issued."""
    return sa.case(
        (columns("unit_kind") == "commission", columns("handed_total")),
        else_=columns("received_total"),
    )


def _figures(names: tuple[str, ...]) -> dict[str, Leaf]:
    # youth_35 → youth35, as strawberry names the field
    return {_camel(name): column(name) for name in names}


STRUCTURE = ObjectSql(
    "AdmissionStructure",
    _figures(tuple(f for f in ADMISSION_FIGURES if f not in ("admitted", "admitted_exempt"))),
)
PIPELINE = ObjectSql("Pipeline", _figures(PIPELINE_FIGURES))

LINE = ObjectSql(
    "RollupLine",
    {
        "unitId": node_id("Unit", "unit_id"),
        "unitName": column("unit_name"),
        "unitKind": enum("unit_kind", UnitKind),
        "plan": _plan,
        "forecastRemark": column("forecast_remark"),
        "admitted": column("admitted"),
        "admittedExempt": column("admitted_exempt"),
        "completionRate": lambda c: service.ratio_sql(c("admitted"), _plan(c)),
        "openFindings": column("open_findings"),
        "placedOnNames": column("named_placed"),
        "namesWithoutPlace": column("named_unplaced"),
    },
    objects={
        "structure": (STRUCTURE, same_row),
        "pipeline": (PIPELINE, same_row),
        "received": (amounts("received_"), same_row),
        "handedDown": (amounts("handed_"), same_row),
        "reserve": (amounts("reserve_"), same_row),
        "forecast": (amounts("subtree_forecast_"), same_row),
        "ownForecast": (amounts("forecast_"), same_row),
        "childrenForecast": (amounts("subtree_forecast_", "forecast_"), same_row),
    },
)


class RollupField(LinesField):
    """The root field ``rollup`` of one known document, checked when it is compiled."""

    line = LINE

    def __init__(self, selected: Selected) -> None:
        super().__init__(selected)
        self._statement = service.lines_statement(self.build)

    async def run(self, context: Any, session: Session, arguments: dict[str, Any]) -> str:
        return await self.answer(service.rollup_json, session, arguments, self._statement)
