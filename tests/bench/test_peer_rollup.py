"""Q1's fair peer (bench/peers/tallies.py) answers what our Q1 asks, on the test database: the
commission's own line (summed over its schools' tally rows) first, then each school's, compared
whole with our ``rollup`` response as the benchmark's agreement check compares them. No node,
no PostGraphile: the function is called by SQL, its rows shaped as PostGraphile's nodes."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from support_peers import as_peer, insert_period

from partyplan.bench.runner import agreement
from partyplan.bench.runner import scenarios as sc
from partyplan.models.rollups import PERIOD_FIGURES

_TALLY = sa.text(
    "INSERT INTO unit_tallies (period_id, unit_id, unit_path, school_id, "
    + ", ".join(PERIOD_FIGURES)
    + ") SELECT :p, id, path, school_id, "
    + ", ".join(f":{f}" for f in PERIOD_FIGURES)
    + " FROM units WHERE id = :u"
)
_QUOTA = sa.text(
    "INSERT INTO unit_quotas (period_id, unit_id, unit_path, unit_kind, school_id,"
    " received_total, handed_total) SELECT :p, id, path, kind, school_id, :received, :handed"
    " FROM units WHERE id = :u"
)


async def test_the_tally_peer_answers_our_q1_own_line_and_children(
    world: Any, owner_engine: Any, owner_url: str, gql: Any
) -> None:
    units = world.units
    async with owner_engine.begin() as conn:
        period = await insert_period(conn, units["commission"])
        for unit, received, handed in (("commission", 0, 90), ("A", 60, 20), ("B", 30, 0)):
            await conn.execute(
                _QUOTA, {"p": period, "u": units[unit], "received": received, "handed": handed}
            )
        # School rows sum their subtree; A1's row lies inside A's and must not count twice.
        for n, unit in enumerate(("A", "A1", "B")):
            figures = {f: (n + 1) * (i + 1) for i, f in enumerate(PERIOD_FIGURES)}
            await conn.execute(_TALLY, {"p": period, "u": units[unit], **figures})
    variables = {"unit": world.gid("commission"), "period": sc.gid("PlanPeriod", period)}
    ours = await gql(sc.Q1, variables, world.tokens["commission_admin"])
    assert "errors" not in ours, ours
    assert ours["data"]["rollup"]["line"]["admitted"] == 1 + 3  # A's and B's school rows

    rows = await as_peer(
        owner_url,
        owner_engine,
        world.users["commission_admin"],  # the commission's scope, as the peers run
        "SELECT * FROM bench_peer.province_rollup_tallies($1, $2)",
        period,
        units["commission"],
    )
    # Column names fold as PostGraphile's camelCase does (normalise.py); the kind as an enum.
    nodes = [{**dict(r), "unit_kind": r["unit_kind"].upper()} for r in rows]
    peer = {"data": {"provinceRollupTallies": {"nodes": nodes}}}
    assert [n["unit_id"] for n in nodes] == [units[u] for u in ("commission", "A", "B")]
    assert agreement.whole_differences("Q1", ours, peer) == []
    nodes[0]["admitted"] += 1  # the comparison covers the own line
    assert agreement.whole_differences("Q1", ours, peer) == ["$[0].admitted: 4 vs 5"]
