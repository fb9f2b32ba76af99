from __future__ import annotations

import functools
import operator
from collections.abc import Mapping
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
from ..wording import (
    ERROR_FIELD,
    ERROR_MESSAGE,
    PAYLOAD_ERRORS,
    After,
    Before,
    First,
    IncludeInactive,
    Last,
    coded_enum,
)
from . import loaders


@strawberry.enum(description="党组织类别")
class UnitKind(Enum):
    COMMISSION = strawberry.enum_value("commission", description="省委教育工委（根）")
    SCHOOL = strawberry.enum_value("school", description="学校党委")
    COMMITTEE = strawberry.enum_value("committee", description="院系党委 / 党总支（中层党组织）")
    BRANCH = strawberry.enum_value("branch", description="党支部")


UNIT_CODES: Mapping[str, str] = {
    UnitErrorCode.INVALID_NAME: "名称无效：The name is blank or too long.",
    UnitErrorCode.INVALID_CODE: "组织代码无效：Only letters, digits, '.', '_' and '-', at most 40.",
    UnitErrorCode.DUPLICATE_CODE: "组织代码重复：Another unit has this code.",
    UnitErrorCode.INVALID_KIND: "党组织类别不符：A unit of this kind cannot be created, moved or "
    "deactivated here (the commission and schools are not moved).",
    UnitErrorCode.INVALID_PARENT: "上级党组织不符：A unit of this kind cannot be placed under a "
    "unit of that kind.",
    UnitErrorCode.INACTIVE_UNIT: "党组织已停用：The unit named is inactive.",
    UnitErrorCode.CROSS_SCHOOL_MOVE: "不能跨校调整：Units move only within their school.",
    UnitErrorCode.MOVE_INTO_OWN_SUBTREE: "不能移至自身下级：A unit cannot move under itself or "
    "its own subtree.",
    UnitErrorCode.HAS_ACTIVE_CHILDREN: "仍有下级党组织：Deactivate or move the active sub-units "
    "first.",
    UnitErrorCode.IN_USE: "仍在使用：The unit still holds quota or open recruits; the message "
    "says which.",
}

UnitErrorCodeEnum = coded_enum("UnitErrorCode", "党组织操作错误", UnitErrorCode, UNIT_CODES)


_COLUMNS = (
    "id",
    "kind",
    "name",
    "code",
    "active",
    "created_at",
    "parent_id",
    "school_id",
    "path",
    "region_code",
)


@functools.cache
def _columns(prefix: str) -> operator.attrgetter[Any]:
    """A getter of a joined unit's columns, built once per prefix, not per row."""
    return operator.attrgetter(*(prefix + c for c in _COLUMNS))


_unit_kind = by_value(UnitKind)


@strawberry.type(description="党组织：工委、学校、中层党组织或党支部。")
class Unit(relay.Node):
    id: relay.NodeID[int]
    kind: UnitKind = strawberry.field(
        description="党组织类别：commission, school, committee or branch."
    )
    name: str = strawberry.field(description="名称：the unit's name as it appears in reports.")
    code: str | None = strawberry.field(
        description="组织代码：the unit's code, unique where given; null when none is recorded."
    )
    active: bool = strawberry.field(
        description="是否有效：false once the unit is deactivated (停用); lists leave inactive "
        "units out unless asked to include them."
    )
    depth: int = strawberry.field(
        description="层级：depth in the tree: the commission is 1, a school 2, its committees and "
        "branches 3 or more."
    )
    created_at: datetime = strawberry.field(description="创建时间：when the unit was created.")
    region_code: str | None = strawberry.field(
        description="地区代码：the GB/T 2260 code of the commission's province (`14` 山西省), "
        "which chooses the province's rule overlays; every unit shows its commission's; null "
        "when none is set (the national rules alone apply)."
    )
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
        id_, kind, name, code, active, created_at, parent_id, school_id, path, region_code = (
            _columns(prefix)(row)
        )
        return cls(
            id=id_,
            kind=_unit_kind(kind),
            name=name,
            code=code,
            active=active,
            depth=path.count(".") + 1,
            created_at=created_at,
            region_code=region_code,
            parent_id=parent_id,
            school_id=school_id,
            path=path,
        )

    @strawberry.field(
        description="上级党组织：the unit directly above; null at the root or above the caller's "
        "units."
    )
    async def parent(self, info: strawberry.Info) -> Unit | None:
        return None if self.parent_id is None else await load_unit(info, self.parent_id)

    @strawberry.field(
        description="所属学校：the school the unit belongs to (itself for a school); null above "
        "schools or outside the caller's units."
    )
    async def school(self, info: strawberry.Info) -> Unit | None:
        if self.school_id is None:
            return None
        if self.school_id == self.id:
            return self
        return await load_unit(info, self.school_id)

    @strawberry.field(
        description="下级党组织：the units directly below this one that the caller may read, in "
        "id order (inactive ones only with `includeInactive`)." + PAGING
    )
    # One page per unit, batched across every unit of the result: one statement for the
    # children of all of them, one more for `totalCount` when selected.
    async def children(
        self,
        info: strawberry.Info,
        include_inactive: IncludeInactive = False,
        first: First = None,
        after: After = None,
        last: Last = None,
        before: Before = None,
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


@strawberry.type(description="党组织操作错误：why a unit mutation was refused.")
class UnitError:
    code: UnitErrorCodeEnum = strawberry.field(  # type: ignore[valid-type]
        description="错误代码：what was wrong."
    )
    field: str | None = strawberry.field(description=ERROR_FIELD)
    message: str = strawberry.field(description=ERROR_MESSAGE)


@strawberry.type(description="党组织操作结果：the unit after the change, or the errors.")
class UnitPayload:
    unit: Unit | None = strawberry.field(
        description="党组织：the unit as changed; null when the mutation was refused."
    )
    errors: list[UnitError] = strawberry.field(description=PAYLOAD_ERRORS)
