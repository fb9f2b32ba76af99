from __future__ import annotations

import strawberry
from strawberry import relay

from partyplan.resolvers.access.rules import PASSWORD_MAX, PASSWORD_MIN

_LENGTH = f"{PASSWORD_MIN}–{PASSWORD_MAX} characters"


@strawberry.input(description="新建账号：a person's account and the unit it belongs to.")
class CreateUserInput:
    home_unit_id: relay.GlobalID = strawberry.field(
        description="所属党组织：the unit the account belongs to."
    )
    username: str = strawberry.field(
        description="用户名：the sign-in name, unique; 3–64 characters: lower-case letters, "
        "digits, '.', '_' or '-' (upper case is lowered)."
    )
    display_name: str = strawberry.field(description="显示名称：1–100 characters.")


@strawberry.input(description="授予角色：a role for an account at a unit.")
class GrantRoleInput:
    user_id: relay.GlobalID = strawberry.field(description="账号：the account (a `User` id).")
    role: str = strawberry.field(
        description="角色代码：a role name from `roles`, e.g. `branch_secretary`."
    )
    unit_id: relay.GlobalID = strawberry.field(
        description="党组织：where the role is held; it reaches the unit's whole subtree."
    )


@strawberry.input(description="撤销角色：the role binding to remove.")
class RevokeRoleInput:
    role_binding_id: relay.GlobalID = strawberry.field(
        description="角色授予：the binding to revoke (a `RoleBinding` id)."
    )


@strawberry.input(description="修改账号：give at least one of the fields to change.")
class UpdateUserInput:
    user_id: relay.GlobalID = strawberry.field(description="账号：the account (a `User` id).")
    display_name: str | None = strawberry.field(
        default=None, description="显示名称：the new name (1–100 characters); null to keep it."
    )
    home_unit_id: relay.GlobalID | None = strawberry.field(
        default=None,
        description="所属党组织：a unit the caller manages; the account moves there. Null to keep "
        "it.",
    )


@strawberry.input(description="停用账号：the account to deactivate.")
class DeactivateUserInput:
    user_id: relay.GlobalID = strawberry.field(description="账号：the account (a `User` id).")


@strawberry.input(description="重置密码：an account and its new initial password.")
class ResetPasswordInput:
    user_id: relay.GlobalID = strawberry.field(description="账号：the account (a `User` id).")
    password: str = strawberry.field(
        description=f"初始密码：the new initial password ({_LENGTH}, not the username); the user "
        "must change it at the next sign-in."
    )


@strawberry.input(description="恢复账号：the deactivated account to reactivate.")
class ReactivateUserInput:
    user_id: relay.GlobalID = strawberry.field(description="账号：the account (a `User` id).")


@strawberry.input(description="修改密码：the caller's own password, current and new.")
class ChangePasswordInput:
    current_password: str = strawberry.field(
        description="当前密码：proves the caller; a wrong one counts as a failed sign-in (5 lock the "
        "account)."
    )
    new_password: str = strawberry.field(
        description=f"新密码：{_LENGTH}, not the username, not the current password."
    )
