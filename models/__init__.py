"""SQLAlchemy tables, one module per domain; no business logic."""

from .annulments import admission_annulments
from .attachments import (
    attachment_quotas,
    attachment_supersessions,
    attachments,
    document_expectations,
)
from .audit import audit_chain_heads, audit_log
from .auth import role_bindings, roles, sign_in_sources, user_credentials, users
from .base import metadata
from .datacalls import data_call_responses, data_calls
from .doors import (
    oauth_clients,
    oauth_codes,
    oauth_grants,
    oauth_refresh_tokens,
    oauth_revoked_tokens,
    trusted_documents,
    web_sessions,
)
from .feed import change_outbox
from .members import members
from .operations import tally_checks
from .placements import named_targets, placement_tallies
from .plans import (
    dispatch_rounds,
    forecast_submissions,
    linkage_rules,
    plan_periods,
    quota_movements,
    structural_targets,
    unit_quotas,
)
from .reconciliation import reconciliation_entries, reconciliation_reports
from .recruits import (
    calendar_days,
    recruit_findings,
    recruit_steps,
    recruits,
    rule_overlays,
    talent_filings,
)
from .reports import execution_reports
from .rollups import unit_month_tallies, unit_tallies
from .spotchecks import (
    allocation_quality_rules,
    spot_check_candidates,
    spot_check_records,
    spot_checks,
)
from .sync import sync_requests
from .tenants import units
from .warnings import warning_rules, warning_tallies, warnings

__all__ = [
    "allocation_quality_rules",
    "spot_check_candidates",
    "spot_check_records",
    "spot_checks",
    "attachment_quotas",
    "attachment_supersessions",
    "attachments",
    "document_expectations",
    "named_targets",
    "placement_tallies",
    "admission_annulments",
    "change_outbox",
    "data_call_responses",
    "data_calls",
    "sync_requests",
    "reconciliation_entries",
    "reconciliation_reports",
    "audit_chain_heads",
    "audit_log",
    "calendar_days",
    "dispatch_rounds",
    "execution_reports",
    "forecast_submissions",
    "linkage_rules",
    "members",
    "metadata",
    "oauth_clients",
    "oauth_codes",
    "oauth_grants",
    "oauth_refresh_tokens",
    "oauth_revoked_tokens",
    "plan_periods",
    "quota_movements",
    "recruit_findings",
    "recruit_steps",
    "recruits",
    "role_bindings",
    "roles",
    "rule_overlays",
    "sign_in_sources",
    "structural_targets",
    "talent_filings",
    "tally_checks",
    "trusted_documents",
    "unit_month_tallies",
    "unit_quotas",
    "unit_tallies",
    "units",
    "user_credentials",
    "users",
    "warning_rules",
    "warning_tallies",
    "warnings",
    "web_sessions",
]
