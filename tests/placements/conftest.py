"""Named-target fixtures."""

from __future__ import annotations

import pytest
from support_placements import Placements


@pytest.fixture
def placements(gql, world, owner_engine) -> Placements:  # type: ignore[no-untyped-def]
    return Placements(gql, world, owner_engine)
