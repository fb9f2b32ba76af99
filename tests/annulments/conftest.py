"""The annulment tests write their admissions straight as the owner (the database tallies them)."""

from __future__ import annotations

import pytest
from support_records import Records


@pytest.fixture
def records(owner_engine, world) -> Records:  # type: ignore[no-untyped-def]
    return Records(owner_engine, world)
