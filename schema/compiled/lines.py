"""A root field answered by a unit's line and its children's (``rollup``, ``plan``): one
statement over the lines as the CTE ``lines`` (``resolvers/plans/repository/lines.LinesInSql``),
built once per document, after the checks of the field's service."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from typing import Any, ClassVar

import sqlalchemy as sa

from partyplan.resolvers.jsonsql import json_name, json_object
from partyplan.resolvers.plans.service.reads import LinesInSql
from partyplan.tenants.session import Session

from ..mutations import decode_id
from .arguments import global_argument
from .objects import ObjectSql, Precompiled
from .selection import NotCompiled, Selected

#: The service's JSON of the lines: (session, unit id, period id, statement) → text.
LinesJson = Callable[..., Awaitable[str]]


class LinesField:
    """A field of ``line`` and ``children`` (each a :attr:`line` map) and the children's
    :attr:`sums`, checked when its document is compiled. A subclass names the maps, builds its
    statement in ``__init__`` through its service and runs it in :meth:`run`."""

    line: ClassVar[ObjectSql]
    sums: ClassVar[Mapping[str, ObjectSql]] = {}

    def __init__(self, selected: Selected) -> None:
        for child in selected.children:
            if child.name in ("line", "children"):
                self.line.check(child.children)
            elif child.name in self.sums:
                self.sums[child.name].check(child.children)
            elif child.name != "__typename":
                raise NotCompiled(f"{child.parent.name}.{child.name} is not compiled")
        self.selected = selected
        # Each line selection's JSON over a row of the lines (the CTE ``lines``).
        self._lines = {
            child.key: Precompiled(self._line(child.children), "lines")
            for child in selected.children
            if child.name in ("line", "children")
        }

    async def answer(
        self, json_of: LinesJson, session: Session, arguments: dict[str, Any], statement: Any
    ) -> str:
        return await json_of(
            session,
            unit_id=decode_id(global_argument(arguments["unitId"]), "Unit", "unitId"),
            period_id=decode_id(global_argument(arguments["periodId"]), "PlanPeriod", "periodId"),
            statement=statement,
        )

    def build(self, lines: LinesInSql) -> sa.ColumnElement[Any]:
        """The field's JSON over ``lines``."""
        pairs: list[tuple[str, sa.ColumnElement[Any]]] = []
        for child in self.selected.children:
            if child.name == "__typename":
                pairs.append((child.key, json_name(child.parent.name)))
            elif child.name in self.sums:
                pairs.append((child.key, lines.children_sum(self._sum(child))))
            else:
                line = self._lines[child.key]
                element = lambda _columns, line=line: line.expression()  # noqa: E731
                built = lines.own(element) if child.name == "line" else lines.children(element)
                pairs.append((child.key, built))
        return json_object(pairs)

    def _line(self, selected: list[Selected]) -> Any:
        return lambda columns: self.line.build(selected, columns)

    def _sum(self, child: Selected) -> Any:
        return lambda columns: self.sums[child.name].build(child.children, columns)
