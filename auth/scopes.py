"""OAuth2 scopes: what a client's token may do, as a set of permissions.

A token from an OAuth2 flow carries a ``scope``; its caller acts with the permissions its roles
grant *and* its scopes cover, never more than either. A token without a client (the operator's
``partyplan token``) is not narrowed. Every permission belongs to exactly one scope
(``tests/auth/test_scopes.py``), so a new permission must find its scope here.

The consent screen shows each scope's ``title`` (Chinese, what the user is asked to allow).
"""

from __future__ import annotations

from dataclasses import dataclass

from .permissions import Permission


@dataclass(frozen=True, slots=True)
class Scope:
    name: str
    title: str
    permissions: frozenset[Permission]


SCOPES: dict[str, Scope] = {
    s.name: s
    for s in (
        Scope(
            "read",
            "查看组织、计划、发展对象与审计记录",
            frozenset(
                {
                    Permission.UNIT_READ,
                    Permission.PLAN_READ,
                    Permission.RECRUIT_READ,
                    Permission.AUDIT_READ,
                }
            ),
        ),
        Scope(
            "record",
            "录入发展程序、分解计划、提交预计与报告",
            frozenset(
                {
                    Permission.RECRUIT_RECORD,
                    Permission.RECRUIT_APPROVE,
                    Permission.RECRUIT_TRANSFER,
                    Permission.FORECAST_SUBMIT,
                    Permission.FILING_SUBMIT,
                    Permission.REPORT_SUBMIT,
                    Permission.WARNING_ACK,
                    Permission.MEMBER_MANAGE,
                    Permission.PLAN_ALLOCATE,
                    Permission.DATACALL_ANSWER,
                }
            ),
        ),
        Scope(
            "manage",
            "管理组织、账号、计划下达、规则与审核",
            frozenset(
                {
                    Permission.UNIT_WRITE,
                    Permission.USER_MANAGE,
                    Permission.ROLE_GRANT,
                    Permission.PERIOD_MANAGE,
                    Permission.PLAN_ISSUE,
                    Permission.FILING_REVIEW,
                    Permission.RECRUIT_ANNUL,
                    Permission.REPORT_REVIEW,
                    Permission.RULE_MANAGE,
                    Permission.CLIENT_MANAGE,
                    Permission.DATACALL_ISSUE,
                }
            ),
        ),
        Scope("pii", "查看未遮盖的身份证号与手机号", frozenset({Permission.PII_READ})),
        Scope(
            "sync",
            "与全国党员管理信息系统（12371）交换数据",
            frozenset({Permission.SYNC_EXCHANGE}),
        ),
    )
}


class UnknownScope(ValueError):
    pass


def parse(scope: str | None) -> tuple[str, ...]:
    """The scope names of a space-separated ``scope`` string, in the order of ``SCOPES``,
    each once; UnknownScope names the first unknown one."""
    names = set((scope or "").split())
    unknown = sorted(names - SCOPES.keys())
    if unknown:
        raise UnknownScope(unknown[0])
    return tuple(name for name in SCOPES if name in names)


def permissions_of(scope: str | None) -> frozenset[str]:
    """The permissions a token with ``scope`` may use (unknown names grant nothing)."""
    names = set((scope or "").split())
    return frozenset().union(*(SCOPES[n].permissions for n in names if n in SCOPES))
