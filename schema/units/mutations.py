from __future__ import annotations

from typing import Annotated, Any

import strawberry

from partyplan.auth.permissions import Permission
from partyplan.resolvers.errors import DomainError
from partyplan.resolvers.units import service

from ..mutations import decode_id, run_mutation
from ..permissions import described
from ..wording import INPUT
from .inputs import CreateUnitInput, DeactivateUnitInput, MoveUnitInput, RenameUnitInput
from .types import Unit, UnitError, UnitPayload


def _payload(row: Any, errors: list[DomainError]) -> UnitPayload:
    return UnitPayload(
        unit=None if row is None else Unit.from_row(row),
        errors=[UnitError(code=e.code, field=e.field, message=e.message) for e in errors],
    )


@strawberry.type
class UnitMutations:
    @strawberry.mutation(
        description=described(
            "新建党组织：create a unit under a parent.",
            Permission.UNIT_WRITE,
            where="at the parent",
        )
    )
    async def create_unit(
        self, info: strawberry.Info, input: Annotated[CreateUnitInput, INPUT]
    ) -> UnitPayload:
        parent_id = decode_id(input.parent_id, "Unit", "parentId")
        row, errors = await run_mutation(
            info,
            lambda s: service.create_unit(
                s, parent_id=parent_id, kind=input.kind.value, name=input.name, code=input.code
            ),
        )
        return _payload(row, errors)

    @strawberry.mutation(
        description=described(
            "党组织更名：rename a unit or change its code; its place in the tree does not change.",
            Permission.UNIT_WRITE,
            where="at the unit",
        )
    )
    async def rename_unit(
        self, info: strawberry.Info, input: Annotated[RenameUnitInput, INPUT]
    ) -> UnitPayload:
        unit_id = decode_id(input.unit_id, "Unit", "unitId")
        change_code = input.code is not strawberry.UNSET
        row, errors = await run_mutation(
            info,
            lambda s: service.rename_unit(
                s,
                unit_id=unit_id,
                name=input.name,
                code=input.code if change_code else None,
                change_code=change_code,
            ),
        )
        return _payload(row, errors)

    @strawberry.mutation(
        description=described(
            "调整隶属关系：move a unit and its subtree under another unit of its school.",
            Permission.UNIT_WRITE,
            where="at the unit and the new parent",
        )
    )
    async def move_unit(
        self, info: strawberry.Info, input: Annotated[MoveUnitInput, INPUT]
    ) -> UnitPayload:
        unit_id = decode_id(input.unit_id, "Unit", "unitId")
        parent_id = decode_id(input.new_parent_id, "Unit", "newParentId")
        row, errors = await run_mutation(
            info, lambda s: service.move_unit(s, unit_id=unit_id, new_parent_id=parent_id)
        )
        return _payload(row, errors)

    @strawberry.mutation(
        description=described(
            "停用党组织：deactivate a unit. Refused while it has active sub-units or still holds "
            "quota or open recruits.",
            Permission.UNIT_WRITE,
            where="at the unit",
        )
    )
    async def deactivate_unit(
        self, info: strawberry.Info, input: Annotated[DeactivateUnitInput, INPUT]
    ) -> UnitPayload:
        unit_id = decode_id(input.unit_id, "Unit", "unitId")
        row, errors = await run_mutation(
            info, lambda s: service.deactivate_unit(s, unit_id=unit_id)
        )
        return _payload(row, errors)
