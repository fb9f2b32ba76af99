from __future__ import annotations

from typing import Annotated, Any

import strawberry

from partyplan.auth.permissions import Permission
from partyplan.resolvers.access import service
from partyplan.resolvers.errors import DomainError

from ..mutations import decode_id, run_mutation
from ..permissions import described
from ..wording import INPUT
from .inputs import (
    ChangePasswordInput,
    CreateUserInput,
    DeactivateUserInput,
    GrantRoleInput,
    ReactivateUserInput,
    ResetPasswordInput,
    RevokeRoleInput,
    UpdateUserInput,
)
from .types import AccountError, RoleBinding, RoleBindingPayload, User, UserPayload


def _errors(errors: list[DomainError]) -> list[AccountError]:
    return [AccountError(code=e.code, field=e.field, message=e.message) for e in errors]


def _user_payload(row: Any, errors: list[DomainError]) -> UserPayload:
    return UserPayload(user=None if row is None else User.from_row(row), errors=_errors(errors))


def _binding_payload(row: Any, errors: list[DomainError]) -> RoleBindingPayload:
    binding = None if row is None else RoleBinding.from_row(row)
    return RoleBindingPayload(role_binding=binding, errors=_errors(errors))


@strawberry.type
class AccessMutations:
    @strawberry.mutation(
        description=described(
            "新建账号：create a person's account belonging to a unit.",
            Permission.USER_MANAGE,
            where="at that unit",
        )
    )
    async def create_user(
        self, info: strawberry.Info, input: Annotated[CreateUserInput, INPUT]
    ) -> UserPayload:
        unit_id = decode_id(input.home_unit_id, "Unit", "homeUnitId")
        row, errors = await run_mutation(
            info,
            lambda s: service.create_user(
                s, home_unit_id=unit_id, username=input.username, display_name=input.display_name
            ),
        )
        return _user_payload(row, errors)

    @strawberry.mutation(
        description=described(
            "授予角色：grant a role at a unit. Only inside the caller's own subtree, and never a role above "
            "the caller's own there.",
            Permission.ROLE_GRANT,
            where="at the unit",
        )
    )
    async def grant_role(
        self, info: strawberry.Info, input: Annotated[GrantRoleInput, INPUT]
    ) -> RoleBindingPayload:
        user_id = decode_id(input.user_id, "User", "userId")
        unit_id = decode_id(input.unit_id, "Unit", "unitId")
        row, errors = await run_mutation(
            info, lambda s: service.grant_role(s, user_id=user_id, role=input.role, unit_id=unit_id)
        )
        return _binding_payload(row, errors)

    @strawberry.mutation(
        description=described(
            "撤销角色：revoke a role binding (not one's own).",
            Permission.ROLE_GRANT,
            where="at the binding's unit",
        )
    )
    async def revoke_role(
        self, info: strawberry.Info, input: Annotated[RevokeRoleInput, INPUT]
    ) -> RoleBindingPayload:
        binding_id = decode_id(input.role_binding_id, "RoleBinding", "roleBindingId")
        row, errors = await run_mutation(
            info, lambda s: service.revoke_role(s, binding_id=binding_id)
        )
        return _binding_payload(row, errors)

    @strawberry.mutation(
        description=described(
            "修改账号：change an account's display name and/or home unit. The caller must outrank the "
            "account at every role it holds.",
            Permission.USER_MANAGE,
            where="at the account's home unit (and at a new one)",
        )
    )
    async def update_user(
        self, info: strawberry.Info, input: Annotated[UpdateUserInput, INPUT]
    ) -> UserPayload:
        user_id = decode_id(input.user_id, "User", "userId")
        unit_id = (
            None
            if input.home_unit_id is None
            else decode_id(input.home_unit_id, "Unit", "homeUnitId")
        )
        row, errors = await run_mutation(
            info,
            lambda s: service.update_user(
                s, user_id=user_id, display_name=input.display_name, home_unit_id=unit_id
            ),
        )
        return _user_payload(row, errors)

    @strawberry.mutation(
        description=described(
            "停用账号：deactivate an account (not one's own): its tokens stop working at the next request. "
            "The caller must outrank the account at every role it holds.",
            Permission.USER_MANAGE,
            where="at the account's home unit",
        )
    )
    async def deactivate_user(
        self, info: strawberry.Info, input: Annotated[DeactivateUserInput, INPUT]
    ) -> UserPayload:
        user_id = decode_id(input.user_id, "User", "userId")
        row, errors = await run_mutation(
            info, lambda s: service.deactivate_user(s, user_id=user_id)
        )
        return _user_payload(row, errors)

    @strawberry.mutation(
        description=described(
            "重置密码：set a new initial password for an account (not one's own), to be changed at its "
            "next sign-in; it lifts a lockout. The caller must outrank the account at every "
            "role it holds.",
            Permission.USER_MANAGE,
            where="at a unit enclosing the account's home unit",
        )
    )
    async def reset_password(
        self, info: strawberry.Info, input: Annotated[ResetPasswordInput, INPUT]
    ) -> UserPayload:
        user_id = decode_id(input.user_id, "User", "userId")
        row, errors = await run_mutation(
            info, lambda s: service.reset_password(s, user_id=user_id, password=input.password)
        )
        return _user_payload(row, errors)

    @strawberry.mutation(
        description=described(
            "恢复账号：reactivate a deactivated account (not one's own): its tokens that have not expired "
            "work again. The caller must outrank the account at every role it holds.",
            Permission.USER_MANAGE,
            where="at the account's home unit",
        )
    )
    async def reactivate_user(
        self, info: strawberry.Info, input: Annotated[ReactivateUserInput, INPUT]
    ) -> UserPayload:
        user_id = decode_id(input.user_id, "User", "userId")
        row, errors = await run_mutation(
            info, lambda s: service.reactivate_user(s, user_id=user_id)
        )
        return _user_payload(row, errors)

    @strawberry.mutation(
        description=described(
            "修改密码：change one's own password, proving the current one. A wrong current password counts "
            "as a failed sign-in and may lock the account, though nothing else of the request is "
            "written. A service's account has no password."
        )
    )
    async def change_password(
        self, info: strawberry.Info, input: Annotated[ChangePasswordInput, INPUT]
    ) -> UserPayload:
        context = info.context
        row, errors = await run_mutation(
            info,
            lambda s: service.change_password(
                s,
                current_password=input.current_password,
                new_password=input.new_password,
                source_address=context.client_address,
                own_transaction=context.own_transaction,
            ),
        )
        return _user_payload(row, errors)
