"""A database of a test's own, for migrating up and down apart from the shared one."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator

import pytest

from partyplan.server import database_admin
from partyplan.server.database import with_database


@pytest.fixture
async def scratch_url(server_url: str) -> AsyncIterator[str]:
    url = with_database(server_url, f"partyplan_migrations_{os.getpid()}")
    await database_admin.drop_database(url)
    yield url
    await database_admin.drop_database(url)
