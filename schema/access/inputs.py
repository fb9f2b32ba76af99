from __future__ import annotations

import strawberry
from strawberry import relay


@strawberry.input
class CreateUserInput:
    home_unit_id: relay.GlobalID = strawberry.field(description="The unit the account belongs to.")
    username: str
    display_name: str


@strawberry.input
class GrantRoleInput:
    user_id: relay.GlobalID
    role: str = strawberry.field(description="A role name from `roles`, e.g. branch_secretary.")
    unit_id: relay.GlobalID


@strawberry.input
class RevokeRoleInput:
    role_binding_id: relay.GlobalID
