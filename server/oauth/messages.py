"""What the change-password page says for each refusal (the domain's codes, in Chinese): the
password rules' own messages, and the page's own words where the form says more."""

from __future__ import annotations

from partyplan.resolvers.access import rules
from partyplan.resolvers.access.errors import AccountErrorCode
from partyplan.resolvers.oauth.errors import OAuthErrorCode

_MESSAGES: dict[str, str] = {
    AccountErrorCode.WRONG_PASSWORD: "当前密码不正确，或尝试次数过多。多次输错将暂时锁定账号。",
    OAuthErrorCode.PASSWORDS_DIFFER: "两次输入的新密码不一致。",
    AccountErrorCode.PASSWORD_UNCHANGED: rules.PASSWORD_UNCHANGED,
    AccountErrorCode.PASSWORD_TOO_SHORT: rules.PASSWORD_TOO_SHORT,
    AccountErrorCode.PASSWORD_TOO_LONG: rules.PASSWORD_TOO_LONG,
    AccountErrorCode.PASSWORD_IS_USERNAME: rules.PASSWORD_IS_USERNAME,
    AccountErrorCode.PASSWORD_INVALID_CHARACTER: rules.PASSWORD_INVALID_CHARACTER,
}
_DEFAULT = "输入无效，请检查后重试。"


def message_for(code: str | None) -> str:
    return _MESSAGES.get(code or "", _DEFAULT)
