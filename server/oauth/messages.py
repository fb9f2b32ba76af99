"""What the change-password page says for each refusal (the domain's codes, in Chinese)."""

from __future__ import annotations

from partyplan.resolvers.access.errors import AccountErrorCode
from partyplan.resolvers.access.rules import PASSWORD_MAX, PASSWORD_MIN
from partyplan.resolvers.oauth.errors import OAuthErrorCode

_MESSAGES: dict[str, str] = {
    AccountErrorCode.WRONG_PASSWORD: "当前密码不正确，或尝试次数过多。多次输错将暂时锁定账号。",
    OAuthErrorCode.PASSWORDS_DIFFER: "两次输入的新密码不一致。",
    AccountErrorCode.PASSWORD_UNCHANGED: "新密码不能与当前密码相同。",
    AccountErrorCode.PASSWORD_TOO_SHORT: f"新密码至少 {PASSWORD_MIN} 个字符。",
    AccountErrorCode.PASSWORD_TOO_LONG: f"新密码至多 {PASSWORD_MAX} 个字符。",
    AccountErrorCode.PASSWORD_IS_USERNAME: "新密码不能与用户名相同。",
    AccountErrorCode.PASSWORD_INVALID_CHARACTER: "密码含有不允许的字符。",
}
_DEFAULT = "输入无效，请检查后重试。"


def message_for(code: str | None) -> str:
    return _MESSAGES.get(code or "", _DEFAULT)
