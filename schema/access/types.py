from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from enum import Enum
from typing import Any

import strawberry
from strawberry import relay

from partyplan.resolvers.access.errors import AccountErrorCode
from partyplan.resolvers.access.rules import PASSWORD_MAX, PASSWORD_MIN

from ..enums import by_value
from ..units.types import Unit, UnitKind, load_unit
from ..wording import ERROR_FIELD, ERROR_MESSAGE, PAYLOAD_ERRORS, coded_enum
from . import loaders

_E = AccountErrorCode
ACCOUNT_CODES: Mapping[str, str] = {
    _E.INVALID_USERNAME: "用户名无效：3–64 characters: lower-case letters, digits, '.', '_' or "
    "'-'.",
    _E.DUPLICATE_USERNAME: "用户名已被使用：Another account has this username.",
    _E.INVALID_NAME: "显示名称无效：1–100 characters are required.",
    _E.UNKNOWN_ROLE: "角色不存在：Not a role name (see `roles`).",
    _E.ROLE_NOT_BINDABLE_HERE: "该角色不能在此授予：The role cannot be granted at a unit of this "
    "kind (see the role's `bindableKinds`).",
    _E.ROLE_ABOVE_GRANTER: "角色高于授予者：The role ranks above the caller's own at the unit.",
    _E.ALREADY_GRANTED: "已授予：The account already holds this role at the unit.",
    _E.INACTIVE_UNIT: "党组织已停用：The unit named is inactive.",
    _E.SELF_REVOKE: "不能撤销自己的角色：Another administrator must revoke it.",
    _E.USER_ABOVE_CALLER: "账号级别高于调用者：The account holds a role above the caller's own.",
    _E.SELF_DEACTIVATE: "不能停用自己的账号：Another administrator must do it.",
    _E.SELF_RESET: "不能重置自己的密码：Use `changePassword` instead.",
    _E.ALREADY_INACTIVE: "账号已停用：The account is already inactive.",
    _E.SELF_REACTIVATE: "不能恢复自己的账号：Another administrator must do it.",
    _E.ALREADY_ACTIVE: "账号有效：The account is already active.",
    _E.WRONG_PASSWORD: "密码错误：The current password is wrong, or there were too many "
    "attempts: wait a while and try again.",
    _E.NO_PASSWORD: "尚未设置密码：An administrator must set one first (`resetPassword`).",
    _E.PASSWORD_UNCHANGED: "新旧密码相同：Choose another password.",
    _E.CHANGE_PASSWORD_FIRST: "须先修改密码：The initial password must be changed before "
    "anything else the request writes (best: alone).",
    _E.NOTHING_TO_UPDATE: "无修改内容：Give a display name or a home unit.",
    _E.PASSWORD_TOO_SHORT: f"密码过短：At least {PASSWORD_MIN} characters.",
    _E.PASSWORD_TOO_LONG: f"密码过长：At most {PASSWORD_MAX} characters.",
    _E.PASSWORD_IS_USERNAME: "密码不能与用户名相同：The password may not be the username.",
    _E.PASSWORD_INVALID_CHARACTER: "密码含无效字符：No NUL or unpaired surrogate characters.",
    _E.SERVICE_ACCOUNT: "服务账号：A service's account has no password and is managed through "
    "its client (`registerClient`, `disableClient`).",
    _E.SIGN_IN_FAILED: "登录失败：Wrong username or password, or too many attempts: wait a "
    "while and try again.",
}

AccountErrorCodeEnum = coded_enum(
    "AccountErrorCode", "账号与授权操作错误", AccountErrorCode, ACCOUNT_CODES
)


@strawberry.type(
    description="角色：a set of permissions kept as data, granted to an account at a unit."
)
class Role:
    name: str = strawberry.field(
        description="角色代码：the name `grantRole` takes, e.g. `branch_secretary`."
    )
    title_zh: str = strawberry.field(description="中文名称：e.g. 党支部书记.")
    rank: int = strawberry.field(
        description="级别：higher outranks lower; a granter never grants a role ranked above its "
        "own."
    )
    permissions: list[str] = strawberry.field(
        description="权限：the permissions the role grants, e.g. `plan.read`."
    )
    bindable_kinds: list[UnitKind] = strawberry.field(
        description="可授予的党组织类别：the kinds of unit the role can be granted at."
    )

    @classmethod
    def from_row(cls, row: Any) -> Role:
        return cls(
            name=row.name,
            title_zh=row.title_zh,
            rank=row.rank,
            permissions=list(row.permissions),
            bindable_kinds=[UnitKind(k) for k in row.bindable_kinds],
        )


@strawberry.type(
    description="角色授予：a role an account holds at a unit; it reaches the unit's whole subtree."
)
class RoleBinding(relay.Node):
    id: relay.NodeID[int]
    role: str = strawberry.field(description="角色代码：the role's name (see `roles`).")
    created_at: datetime | None = strawberry.field(
        description="授予时间：when the role was granted; null in `me`."
    )
    unit_id: strawberry.Private[int]
    user_id: strawberry.Private[int]

    @classmethod
    def from_row(cls, row: Any) -> RoleBinding:
        return cls(
            id=row.id,
            role=row.role,
            created_at=getattr(row, "created_at", None),
            unit_id=row.unit_id,
            user_id=row.user_id,
        )

    @strawberry.field(
        description="党组织：the unit the role is held at; null outside the caller's units."
    )
    async def unit(self, info: strawberry.Info) -> Unit | None:
        return await load_unit(info, self.unit_id)


@strawberry.enum(description="账号类别")
class UserKind(Enum):
    PERSON = strawberry.enum_value("person", description="人员：以密码登录")
    SERVICE = strawberry.enum_value(
        "service", description="服务：OAuth2 服务客户端的账号，无密码，不能登录"
    )


_user_kind = by_value(UserKind)


@strawberry.type(
    description="账号：an account of a person, or of a service such as the 12371 sync."
)
class User(relay.Node):
    id: relay.NodeID[int]
    username: str = strawberry.field(
        description="用户名：the sign-in name, unique; 3–64 characters: lower-case letters, "
        "digits, '.', '_' or '-'."
    )
    display_name: str = strawberry.field(
        description="显示名称：the name shown for the account, 1–100 characters."
    )
    active: bool = strawberry.field(
        description="是否有效：false once deactivated; the account's tokens are then refused."
    )
    kind: UserKind = strawberry.field(description="账号类别：a person or a service.")
    home_unit_id: strawberry.Private[int]

    @classmethod
    def from_row(cls, row: Any) -> User:
        return cls(
            id=row.id,
            username=row.username,
            display_name=row.display_name,
            active=row.active,
            kind=_user_kind(row.kind),
            home_unit_id=row.home_unit_id,
        )

    @strawberry.field(
        description="所属党组织：the unit the account belongs to; null outside the caller's units."
    )
    async def home_unit(self, info: strawberry.Info) -> Unit | None:
        return await load_unit(info, self.home_unit_id)

    @strawberry.field(
        description="角色授予：the roles the account holds inside the caller's units."
    )
    async def role_bindings(self, info: strawberry.Info) -> list[RoleBinding]:
        return await info.context.loader("user_bindings", _BINDINGS).load(self.id)


_BINDINGS = loaders.bindings_by_user(RoleBinding.from_row)


@strawberry.type(description="当前用户：the caller's account and every role it holds.")
class Me:
    user: User = strawberry.field(description="账号：the caller's own account.")
    client_id: str | None = strawberry.field(
        description="客户端：the OAuth2 `client_id` of the client acting for the user; null when "
        "no client acts for the user."
    )
    role_bindings: list[RoleBinding] = strawberry.field(
        description="角色授予：every role the caller holds, wherever it is held."
    )


@strawberry.type(description="账号与授权操作错误：why an account or role mutation was refused.")
class AccountError:
    code: AccountErrorCodeEnum = strawberry.field(  # type: ignore[valid-type]
        description="错误代码：what was wrong."
    )
    field: str | None = strawberry.field(description=ERROR_FIELD)
    message: str = strawberry.field(description=ERROR_MESSAGE)


@strawberry.type(description="账号操作结果：the account after the change, or the errors.")
class UserPayload:
    user: User | None = strawberry.field(
        description="账号：the account as changed; null when the mutation was refused."
    )
    errors: list[AccountError] = strawberry.field(description=PAYLOAD_ERRORS)


@strawberry.type(description="角色授予结果：the role binding granted or revoked, or the errors.")
class RoleBindingPayload:
    role_binding: RoleBinding | None = strawberry.field(
        description="角色授予：the binding granted or revoked; null when the mutation was refused."
    )
    errors: list[AccountError] = strawberry.field(description=PAYLOAD_ERRORS)
