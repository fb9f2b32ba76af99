"""Scopes partition the permissions, and narrow what a client's token may do."""

from __future__ import annotations

import pytest

from partyplan.auth import scopes
from partyplan.auth.permissions import Permission


def test_every_permission_belongs_to_exactly_one_scope() -> None:
    seen: list[str] = [p for s in scopes.SCOPES.values() for p in s.permissions]
    assert sorted(seen) == sorted(p.value for p in Permission)


def test_parse_orders_and_deduplicates() -> None:
    assert scopes.parse("pii read  read") == ("read", "pii")
    assert scopes.parse("") == ()
    assert scopes.parse(None) == ()


def test_parse_names_the_unknown_scope() -> None:
    with pytest.raises(scopes.UnknownScope, match="admin"):
        scopes.parse("read admin")


def test_permissions_of_ignores_unknown_names() -> None:
    assert scopes.permissions_of("read bogus") == scopes.SCOPES["read"].permissions
    assert scopes.permissions_of(None) == frozenset()
