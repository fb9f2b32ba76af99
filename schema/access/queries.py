from __future__ import annotations

from typing import Annotated

import strawberry
from strawberry import relay

from partyplan.auth.permissions import Permission
from partyplan.resolvers.access import service

from ..connections import Connection, connection
from ..mutations import decode_id
from ..pagination import PAGING, keyset
from ..permissions import described
from ..wording import After, Before, First, Last
from .types import Me, Role, RoleBinding, User


@strawberry.type
class AccessQueries:
    @strawberry.field(description=described("当前用户：who am I: my account and my role bindings."))
    async def me(self, info: strawberry.Info) -> Me:
        session = await info.context.session()
        principal = session.principal
        user = await service.own_account(session)
        return Me(
            user=User.from_row(user),
            client_id=principal.client_id,
            role_bindings=[
                RoleBinding(
                    id=b.id,
                    role=b.role,
                    created_at=None,
                    unit_id=b.unit_id,
                    user_id=principal.user_id,
                )
                for b in principal.bindings
            ],
        )

    @strawberry.field(
        description=described("角色：the roles that can be granted, highest rank first.")
    )
    async def roles(self, info: strawberry.Info) -> list[Role]:
        session = await info.context.session()
        return [Role.from_row(r) for r in await service.roles(session)]

    @strawberry.field(
        description=described(
            "账号列表：accounts belonging to the subtree of `under` (or to every unit the caller "
            "manages), in id order." + PAGING,
            Permission.USER_MANAGE,
        )
    )
    async def users(
        self,
        info: strawberry.Info,
        under: Annotated[
            relay.GlobalID | None,
            strawberry.argument(
                description="所属党组织：only accounts of this unit and the units below it; null "
                "for every unit the caller manages."
            ),
        ] = None,
        first: First = None,
        after: After = None,
        last: Last = None,
        before: Before = None,
    ) -> Connection[User]:
        await info.context.session()  # authenticate before judging arguments
        page = keyset(info.context.settings.max_page_size, first, after, last, before)
        under_id = None if under is None else decode_id(under, "Unit", "under")
        session = await info.context.session()
        rows = await service.users_page(session, under_id=under_id, keyset=page)
        return await connection(info, rows, User.from_row)


async def resolve_user_node(info: strawberry.Info, user_id: int) -> tuple[User, str]:
    session = await info.context.session()
    row = await service.visible_user(session, user_id, Permission.USER_MANAGE)
    return User.from_row(row), row.home_path


async def resolve_binding_node(info: strawberry.Info, binding_id: int) -> tuple[RoleBinding, str]:
    session = await info.context.session()
    row = await service.visible_binding(session, binding_id)
    return RoleBinding.from_row(row), row.unit_path
