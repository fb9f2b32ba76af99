from __future__ import annotations

import strawberry

from partyplan.resolvers.policies.errors import PolicyErrorCode

PolicyErrorCodeEnum = strawberry.enum(
    PolicyErrorCode, name="PolicyErrorCode", description="受信文档登记错误"
)


@strawberry.type
class PolicyError:
    code: PolicyErrorCodeEnum  # type: ignore[valid-type]
    field: str | None = strawberry.field(
        description="`documents.<index>` of the document at fault."
    )
    message: str


@strawberry.type
class RegisterDocumentsPayload:
    document_ids: list[str] = strawberry.field(
        description="Each document's id, in the order given (empty when refused)."
    )
    errors: list[PolicyError]
