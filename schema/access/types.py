from __future__ import annotations

from datetime import datetime
from enum import Enum
from typing import Any

import strawberry
from strawberry import relay

from partyplan.resolvers.access.errors import AccountErrorCode

from ..enums import by_value
from ..units.types import Unit, UnitKind, load_unit
from . import loaders

AccountErrorCodeEnum = strawberry.enum(
    AccountErrorCode, name="AccountErrorCode", description="账号与授权操作错误"
)


@strawberry.type(description="A role: a set of permissions kept as data, granted at a unit.")
class Role:
    name: str
    title_zh: str = strawberry.field(description="中文名称")
    rank: int = strawberry.field(description="A granter never grants a role ranked above its own.")
    permissions: list[str]
    bindable_kinds: list[UnitKind]

    @classmethod
    def from_row(cls, row: Any) -> Role:
        return cls(
            name=row.name,
            title_zh=row.title_zh,
            rank=row.rank,
            permissions=list(row.permissions),
            bindable_kinds=[UnitKind(k) for k in row.bindable_kinds],
        )


@strawberry.type(description="A role held at a unit; it reaches the unit's whole subtree.")
class RoleBinding(relay.Node):
    id: relay.NodeID[int]
    role: str
    created_at: datetime | None
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

    @strawberry.field
    async def unit(self, info: strawberry.Info) -> Unit | None:
        return await load_unit(info, self.unit_id)


@strawberry.enum(description="账号类别")
class UserKind(Enum):
    PERSON = strawberry.enum_value("person", description="人员：以密码登录")
    SERVICE = strawberry.enum_value(
        "service", description="服务：OAuth2 服务客户端的账号，无密码，不能登录"
    )


_user_kind = by_value(UserKind)


@strawberry.type(description="An account: a person or a service (12371 sync).")
class User(relay.Node):
    id: relay.NodeID[int]
    username: str
    display_name: str
    active: bool
    kind: UserKind
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

    @strawberry.field(description="The unit the account belongs to.")
    async def home_unit(self, info: strawberry.Info) -> Unit | None:
        return await load_unit(info, self.home_unit_id)

    @strawberry.field(description="Roles the user holds inside the caller's units.")
    async def role_bindings(self, info: strawberry.Info) -> list[RoleBinding]:
        return await info.context.loader("user_bindings", _BINDINGS).load(self.id)


_BINDINGS = loaders.bindings_by_user(RoleBinding.from_row)


@strawberry.type(description="The caller: its account and every role it holds.")
class Me:
    user: User
    client_id: str | None = strawberry.field(description="OAuth2 client acting for the user.")
    role_bindings: list[RoleBinding]


@strawberry.type
class AccountError:
    code: AccountErrorCodeEnum  # type: ignore[valid-type]
    field: str | None
    message: str


@strawberry.type
class UserPayload:
    user: User | None
    errors: list[AccountError]


@strawberry.type
class RoleBindingPayload:
    role_binding: RoleBinding | None
    errors: list[AccountError]
