"""SQLAlchemy tables, one module per domain; no business logic."""

from .audit import audit_chain_heads, audit_log
from .auth import role_bindings, roles, users
from .base import metadata
from .tenants import units

__all__ = ["audit_chain_heads", "audit_log", "metadata", "role_bindings", "roles", "units", "users"]
