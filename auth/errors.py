"""Access failures. They become GraphQL errors with ``extensions.code``; business-rule
failures are domain errors returned in mutation payloads instead. Messages are in Chinese, for
people; ``code`` is what a program tells the failures apart by."""

from __future__ import annotations


class AccessError(Exception):
    code = "ACCESS"
    default_message = "无权访问"

    def __init__(self, message: str | None = None) -> None:
        super().__init__(message or self.default_message)


class NotAuthenticated(AccessError):
    code = "UNAUTHENTICATED"
    default_message = "请先登录：需要有效的访问令牌"


class Forbidden(AccessError):
    code = "FORBIDDEN"
    default_message = "您的角色无权进行此操作"


class NotFound(AccessError):
    """Also what a caller gets for an object outside its scope: never FORBIDDEN there."""

    code = "NOT_FOUND"
    default_message = "未找到该对象"
