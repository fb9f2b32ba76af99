from __future__ import annotations

import strawberry
from strawberry import relay

from .types import UnitKind


@strawberry.input(description="新建党组织：the unit to create and where it goes.")
class CreateUnitInput:
    parent_id: relay.GlobalID = strawberry.field(
        description="上级党组织：the unit the new one goes under (a `Unit` id)."
    )
    kind: UnitKind = strawberry.field(
        description="党组织类别：a school under the commission; a committee or branch under a "
        "school or committee."
    )
    name: str = strawberry.field(description="名称：must not be blank.")
    code: str | None = strawberry.field(
        default=None,
        description="组织代码：letters, digits, '.', '_' or '-', at most 40, unique across units; "
        "null or blank for none.",
    )


@strawberry.input(description="党组织更名：a unit's new name and, optionally, code.")
class RenameUnitInput:
    unit_id: relay.GlobalID = strawberry.field(description="党组织：the unit to rename.")
    name: str = strawberry.field(description="名称：the new name; must not be blank.")
    code: str | None = strawberry.field(
        default=strawberry.UNSET,
        description="组织代码：omit to keep the code; null (or blank) to clear it.",
    )


@strawberry.input(description="调整隶属关系：a unit and its new parent.")
class MoveUnitInput:
    unit_id: relay.GlobalID = strawberry.field(
        description="党组织：the unit to move, with its whole subtree (not a school)."
    )
    new_parent_id: relay.GlobalID = strawberry.field(
        description="新的上级党组织：a unit of the same school."
    )


@strawberry.input(description="停用党组织：the unit to deactivate.")
class DeactivateUnitInput:
    unit_id: relay.GlobalID = strawberry.field(description="党组织：the unit to deactivate.")
