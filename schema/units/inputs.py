from __future__ import annotations

import strawberry
from strawberry import relay

from .types import UnitKind


@strawberry.input
class CreateUnitInput:
    parent_id: relay.GlobalID = strawberry.field(description="上级党组织")
    kind: UnitKind = strawberry.field(
        description="school under the commission; committee or branch under a school or committee"
    )
    name: str
    code: str | None = None


@strawberry.input
class RenameUnitInput:
    unit_id: relay.GlobalID
    name: str
    code: str | None = strawberry.field(
        default=strawberry.UNSET, description="Omit to keep the code; null to clear it."
    )


@strawberry.input
class MoveUnitInput:
    unit_id: relay.GlobalID
    new_parent_id: relay.GlobalID = strawberry.field(description="A unit of the same school.")


@strawberry.input
class DeactivateUnitInput:
    unit_id: relay.GlobalID
