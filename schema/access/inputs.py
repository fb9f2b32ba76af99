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


@strawberry.input(description="Give at least one of the fields to change.")
class UpdateUserInput:
    user_id: relay.GlobalID
    display_name: str | None = None
    home_unit_id: relay.GlobalID | None = strawberry.field(
        default=None, description="A unit the caller manages; the account moves there."
    )


@strawberry.input
class DeactivateUserInput:
    user_id: relay.GlobalID


@strawberry.input
class ResetPasswordInput:
    user_id: relay.GlobalID
    password: str = strawberry.field(
        description="The new initial password (12–128 characters, not the username); the user "
        "must change it at the next sign-in."
    )


@strawberry.input
class ReactivateUserInput:
    user_id: relay.GlobalID


@strawberry.input(description="The caller's own password.")
class ChangePasswordInput:
    current_password: str = strawberry.field(
        description="Proves the caller; a wrong one counts as a failed sign-in (5 lock the "
        "account)."
    )
    new_password: str = strawberry.field(
        description="12–128 characters, not the username, not the current password."
    )
