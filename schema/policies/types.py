from __future__ import annotations

from collections.abc import Mapping

import strawberry

from partyplan.resolvers.policies import rules
from partyplan.resolvers.policies.errors import PolicyErrorCode

from ..wording import ERROR_MESSAGE, PAYLOAD_ERRORS, coded_enum

POLICY_CODES: Mapping[str, str] = {
    PolicyErrorCode.NO_DOCUMENTS: "未提供文档：Give at least one document.",
    PolicyErrorCode.TOO_MANY_DOCUMENTS: f"文档过多：At most {rules.MAX_DOCUMENTS} documents a "
    "call.",
    PolicyErrorCode.INVALID_DOCUMENT: "文档无效：The document does not parse or does not "
    "validate against this schema and its limits; the message says why.",
}

PolicyErrorCodeEnum = coded_enum(
    "PolicyErrorCode", "受信文档登记错误", PolicyErrorCode, POLICY_CODES
)


@strawberry.type(description="受信文档登记错误：why registering documents was refused.")
class PolicyError:
    code: PolicyErrorCodeEnum = strawberry.field(  # type: ignore[valid-type]
        description="错误代码：what was wrong."
    )
    field: str | None = strawberry.field(
        description="出错字段：`documents.<index>` of the document at fault, or `documents` "
        "when the list as a whole is refused."
    )
    message: str = strawberry.field(description=ERROR_MESSAGE)


@strawberry.type(description="受信文档登记结果：the documents' ids, or the errors.")
class RegisterDocumentsPayload:
    document_ids: list[str] = strawberry.field(
        description="文档标识：each document's id, in the order given (empty when refused)."
    )
    errors: list[PolicyError] = strawberry.field(description=PAYLOAD_ERRORS)
