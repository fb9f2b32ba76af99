"""Permissions are strings kept as data in the ``roles`` table; this module names them.

A role is granted at a unit and its permissions hold in that unit's subtree. The role
definitions themselves live in the migrations (seeded data the commission may extend);
``tests/auth/test_permissions.py`` checks that every seeded permission is named here.
"""

from __future__ import annotations

from enum import StrEnum


class Permission(StrEnum):
    UNIT_READ = "unit.read"
    UNIT_WRITE = "unit.write"
    USER_MANAGE = "user.manage"
    ROLE_GRANT = "role.grant"
    AUDIT_READ = "audit.read"
    PII_READ = "pii.read"
    # Later domains (plans, recruits, reports, sync) check these.
    PERIOD_MANAGE = "period.manage"
    PLAN_ISSUE = "plan.issue"
    PLAN_ALLOCATE = "plan.allocate"
    PLAN_READ = "plan.read"
    FORECAST_SUBMIT = "forecast.submit"
    RECRUIT_READ = "recruit.read"
    RECRUIT_RECORD = "recruit.record"
    RECRUIT_APPROVE = "recruit.approve"
    RECRUIT_TRANSFER = "recruit.transfer"
    #: Annul an admission found irregular (一律不予承认; migration 0024).
    RECRUIT_ANNUL = "recruit.annul"
    FILING_SUBMIT = "filing.submit"
    FILING_REVIEW = "filing.review"
    RULE_MANAGE = "rule.manage"
    REPORT_SUBMIT = "report.submit"
    REPORT_REVIEW = "report.review"
    WARNING_ACK = "warning.acknowledge"
    SYNC_EXCHANGE = "sync.exchange"
    MEMBER_MANAGE = "member.manage"
    CLIENT_MANAGE = "client.manage"
    # Data calls (数据征集, migration 0020): issue one down the tree; answer one for a unit.
    DATACALL_ISSUE = "datacall.issue"
    DATACALL_ANSWER = "datacall.answer"


class Role(StrEnum):
    COMMISSION_ADMIN = "commission_admin"
    COMMISSION_VIEWER = "commission_viewer"
    SCHOOL_ADMIN = "school_admin"
    UNIT_ADMIN = "unit_admin"
    BRANCH_SECRETARY = "branch_secretary"
    VIEWER = "viewer"
    SYNC_AGENT = "sync_agent"
