"""The ``under`` argument the lists of recruits, filings and members share, described once so
every list says the same (the paging arguments are in ``schema/wording.py``)."""

from __future__ import annotations

from typing import Annotated

import strawberry
from strawberry import relay

Under = Annotated[
    relay.GlobalID | None,
    strawberry.argument(
        description="所在单位：Only what lies under this unit (itself included); all the "
        "caller's units when left out."
    ),
]
