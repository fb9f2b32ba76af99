"""Demo data: the Shanxi commission with a handful of schools (忻州师范学院 with its 中层党组织 and
branches), and the Chongqing commission with 重庆幼儿师范高等专科学校 and the five branches of its
2019 H2 table (seeds/chongqing-2019-h2-guiding-plan-notice.txt). One account per demo role.

Plans: the Shanxi 2023 calendar-year plan issued to 忻州师范学院 (晋教工委组〔2023〕23号) and
subdivided to its 中层党组织 with a staff reserve; Chongqing's 2019 H2 period with the five
branches' forecasts (32, 6, 7, 3, 5 → 53).

Loaded as the owner, idempotently: a second run finds the commission's code and adds nothing.

This module is the loader: :func:`load_demo` runs the parts in their order (the tree and
accounts of ``demo_tree`` first, everything else acts as those accounts; people need the PII
key). The parts live in the ``demo_*`` modules beside it; the names this module held before
they were split off are still importable from it.
"""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import create_async_engine

from partyplan.resolvers.attachments.storage import BlobStore
from partyplan.resolvers.recruits.pii import PiiCipher
from partyplan.resolvers.recruits.service.records import today
from partyplan.resolvers.warnings.service.scan import scan

from . import demo_checks, demo_datacalls, demo_feasibility, demo_placements, demo_province
from .database import async_url
from .demo_attachments import seed_attachments
from .demo_plans import CHONGQING_FORECASTS, seed_named_targets, seed_plans
from .demo_recruits import DEMO_WALK, RECRUITS, ROSTER, seed_annulment, seed_recruits
from .demo_sign_in import set_passwords
from .demo_tree import (
    ACCOUNTS,
    CHONGQING,
    PROVINCE_CODES,
    REGIONS,
    SHANXI,
    XINZHOU,
    Tree,
    seed_tree,
    session_as,
    unit_ids_by_code,
)

__all__ = [
    "ACCOUNTS",
    "CHONGQING",
    "CHONGQING_FORECASTS",
    "DEMO_WALK",
    "PROVINCE_CODES",
    "RECRUITS",
    "REGIONS",
    "ROSTER",
    "SHANXI",
    "XINZHOU",
    "DemoAccount",
    "Tree",
    "load_demo",
]


@dataclass(frozen=True)
class DemoAccount:
    user_id: int
    username: str
    role: str
    unit_name: str


async def load_demo(
    owner_url: str,
    cipher: PiiCipher | None = None,
    *,
    province: bool = False,
    password: str | None = None,
    store: BlobStore | None = None,
) -> list[DemoAccount]:
    """Load the demo tree, accounts, plans and (with the PII key) recruits, idempotently, run
    the warning scan, and return the demo accounts. ``province``: also the ten more Shanxi
    schools of ``demo_province``, their plans dated from today and their recruits in every
    stage (every step through the services: about 50 s the first time). ``password``: the
    demo people's password (``demo_sign_in``), set where they have none."""
    engine = create_async_engine(async_url(owner_url))
    try:
        async with engine.begin() as conn:
            on = today("Asia/Shanghai")
            await seed_tree(conn, province)
            await seed_plans(conn, on, province)
            await demo_checks.seed_equal_split(conn)
            await demo_datacalls.seed(conn, session_as, on)
            if cipher is not None:
                await seed_recruits(conn, cipher, on, province)
                await seed_named_targets(conn)
                await seed_annulment(conn)
                if store is not None:  # attachments need the store the server is given
                    await seed_attachments(conn, await session_as(conn, "xz-admin"), store)
                if province:
                    await demo_province.finish(
                        await session_as(conn, "sx-admin"), await unit_ids_by_code(conn), on
                    )
                    await demo_feasibility.seed(conn, session_as, on)
                    await demo_placements.seed(conn, session_as, on)
                await demo_checks.seed_spot_check(conn)
            if password is not None:
                await set_passwords(conn, [a[0] for a in ACCOUNTS], password)
            # What the daily scheduler would have raised by now (idempotent too).
            await scan(conn, on)
            rows = await conn.execute(
                sa.text(
                    "SELECT u.id, u.username, b.role, n.name FROM users u "
                    "JOIN role_bindings b ON b.user_id = u.id JOIN units n ON n.id = b.unit_id "
                    "WHERE u.username = ANY(:names) ORDER BY u.id"
                ),
                {"names": [a[0] for a in ACCOUNTS]},
            )
            return [DemoAccount(r.id, r.username, r.role, r.name) for r in rows.all()]
    finally:
        await engine.dispose()
