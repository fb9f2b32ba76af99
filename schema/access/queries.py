from __future__ import annotations

import strawberry
from strawberry import relay

from partyplan.auth.permissions import Permission
from partyplan.resolvers.access import service

from ..connections import Connection, connection
from ..mutations import decode_id
from ..pagination import PAGING, keyset
from ..permissions import described
from .types import Me, Role, RoleBinding, User


@strawberry.type
class AccessQueries:
    @strawberry.field(description=described("Who am I: my account and my role bindings."))
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

    @strawberry.field(description=described("The roles that can be granted, highest first."))
    async def roles(self, info: strawberry.Info) -> list[Role]:
        session = await info.context.session()
        return [Role.from_row(r) for r in await service.roles(session)]

    @strawberry.field(
        description=described(
            "Accounts belonging to the subtree of `under` (or to every unit the caller manages)."
            + PAGING,
            Permission.USER_MANAGE,
        )
    )
    async def users(
        self,
        info: strawberry.Info,
        under: relay.GlobalID | None = None,
        first: int | None = None,
        after: str | None = None,
        last: int | None = None,
        before: str | None = None,
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
