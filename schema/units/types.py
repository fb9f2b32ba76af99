from __future__ import annotations

import functools
import operator
from dataclasses import dataclass
from datetime import datetime
from enum import Enum
from typing import Any

import strawberry
from strawberry import relay

from partyplan.resolvers.units.errors import UnitErrorCode

from ..connections import Connection, connection
from ..enums import by_value
from ..pagination import PAGING, keyset
from . import loaders


@strawberry.enum(description="党组织类别")
class UnitKind(Enum):
    COMMISSION = strawberry.enum_value("commission", description="省委教育工委（根）")
    SCHOOL = strawberry.enum_value("school", description="学校党委")
    COMMITTEE = strawberry.enum_value("committee", description="院系党委 / 党总支（中层党组织）")
    BRANCH = strawberry.enum_value("branch", description="党支部")


UnitErrorCodeEnum = strawberry.enum(
    UnitErrorCode, name="UnitErrorCode", description="党组织操作错误"
)


_COLUMNS = ("id", "kind", "name", "code", "active", "created_at", "parent_id", "school_id", "path")


@functools.cache
def _columns(prefix: str) -> operator.attrgetter[Any]:
    """A getter of a joined unit's columns, built once per prefix, not per row."""
    return operator.attrgetter(*(prefix + c for c in _COLUMNS))


_unit_kind = by_value(UnitKind)


@strawberry.type(description="党组织：工委、学校、中层党组织或党支部。")
class Unit(relay.Node):
    id: relay.NodeID[int]
    kind: UnitKind
    name: str = strawberry.field(description="名称")
    code: str | None = strawberry.field(description="组织代码（可空）")
    active: bool
    depth: int = strawberry.field(description="Depth in the tree: the commission is 1.")
    created_at: datetime
    parent_id: strawberry.Private[int | None]
    school_id: strawberry.Private[int | None]
    path: strawberry.Private[str]

    @classmethod
    def from_row(cls, row: Any) -> Unit:
        return cls.from_joined(row, "")

    @classmethod
    def from_joined(cls, row: Any, prefix: str) -> Unit:
        """From a unit's columns joined into another row under ``prefix`` (``UNIT_COLUMNS``
        labelled by ``resolvers.units.repository.joined_unit_columns``)."""
        id_, kind, name, code, active, created_at, parent_id, school_id, path = _columns(prefix)(
            row
        )
        return cls(
            id=id_,
            kind=_unit_kind(kind),
            name=name,
            code=code,
            active=active,
            depth=path.count(".") + 1,
            created_at=created_at,
            parent_id=parent_id,
            school_id=school_id,
            path=path,
        )

    @strawberry.field(description="上级党组织; null at the root or above the caller's units.")
    async def parent(self, info: strawberry.Info) -> Unit | None:
        return None if self.parent_id is None else await load_unit(info, self.parent_id)

    @strawberry.field(description="所属学校; null above schools or outside the caller's units.")
    async def school(self, info: strawberry.Info) -> Unit | None:
        if self.school_id is None:
            return None
        if self.school_id == self.id:
            return self
        return await load_unit(info, self.school_id)

    @strawberry.field(
        description="The units directly below this one that the caller may read, in id order "
        "(inactive ones only with `includeInactive`): a page per unit, batched across units "
        "(one statement for the children of every unit on a page, one more for `totalCount`)."
        + PAGING
    )
    async def children(
        self,
        info: strawberry.Info,
        include_inactive: bool = False,
        first: int | None = None,
        after: str | None = None,
        last: int | None = None,
        before: str | None = None,
    ) -> Connection[Unit]:
        page = keyset(info.context.settings.max_page_size, first, after, last, before)
        key = (self.id, include_inactive, page)
        rows, more = await info.context.loader("unit.children", loaders.children_pages).load(key)
        return await connection(info, _Children(info, key, rows, more), Unit.from_row)


@dataclass(frozen=True, slots=True)
class _Children:
    """A unit's page of children, what it tells besides its rows asked of a batched loader."""

    info: strawberry.Info
    key: loaders.ChildrenKey
    rows: list[Any]
    more: bool

    async def _summary(self) -> tuple[int, bool, bool]:
        loader = self.info.context.loader("unit.children.summary", loaders.children_summaries)
        return await loader.load(self.key)

    async def total(self) -> int:
        return (await self._summary())[0]

    async def has_previous(self) -> bool:
        page = self.key[2]
        if page.backward:
            return self.more
        return page.after is not None and (await self._summary())[1]

    async def has_next(self) -> bool:
        page = self.key[2]
        if not page.backward:
            return self.more
        return page.before is not None and (await self._summary())[2]


_UNITS = loaders.units_by_id(Unit.from_row)


async def load_unit(info: strawberry.Info, unit_id: int) -> Unit | None:
    """The unit if the caller may read it, else None: batched and cached for the request."""
    return await info.context.loader("unit", _UNITS).load(unit_id)


@strawberry.type
class UnitError:
    code: UnitErrorCodeEnum  # type: ignore[valid-type]
    field: str | None
    message: str


@strawberry.type
class UnitPayload:
    unit: Unit | None
    errors: list[UnitError]
