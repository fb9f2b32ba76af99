"""Issue 20's targets (2 cores, province scale, 2 workers, wrk at 16 connections), judged on
one run's tables: each printed met / not met with the figure it was judged on.

- Q1, Q2, Q3 and Q4 at least ``PEER_MINIMUM`` × their fair PostGraphile 5 peer in req/s (Q1's
  peer reads the same tallies, Q3's asks for the same data, Q2's reads our plan's statements,
  Q4's the same warnings: bench/peers);
- p95 at 16 connections: Q2–Q4 ≤ 30 ms, Q1 ≤ 50 ms;
- M1 and M2 at least ``WRITE_FACTOR`` × a baseline req/s given as data (``WRITE_BASELINES``:
  the figures of the run before the issue, which the run cannot re-measure, since the code
  it measured is gone), with no failed request;
- RSS ≤ 250 MB a worker; one transaction a request; statements independent of page and tree;
- and the issue's closing condition: Q1 and Q3 at parity with their peers.

A target whose figure is missing (the peer left out, the scenario not run) is "not measured",
never met.
"""

from __future__ import annotations

from dataclasses import dataclass

from .agreement import SizeProbe
from .report import OURS, PEER, Row, Table, Verdict

# The count is exact but for requests wrk wrote and closed before the server read them: at
# most one per connection at the end of a run.
EXACT_SLACK = 0.002
RSS_LIMIT_MB = 250
PEER_MINIMUM = 1.5
PARITY = 1.0
WRITE_FACTOR = 2.0
# p95 limits hold at this many connections (Little's law: they are throughput targets).
P95_CONNECTIONS = 16
P95_LIMITS_MS = {"Q2": 30.0, "Q3": 30.0, "Q4": 30.0, "Q1": 50.0}
# What each scenario's peer is, as the verdict names it.
PEERS = {
    "Q1": "PostGraphile 5 reading the same tallies",
    "Q3": "PostGraphile 5 asking for the same data",
    "Q2": "PostGraphile 5 reading our plan's statements",
    "Q4": "PostGraphile 5 reading the same warnings",
}


@dataclass(frozen=True)
class Baseline:
    """A write scenario's req/s before the issue, and the run it comes from."""

    rate: float
    source: str


# "Today's figures" of issue 20: the last `partyplan bench run` before it (BENCHMARKS.md, code
# faab3e5, 2026-12-05, province scale, 2 workers, wrk 2 × 16, 3 rounds). Another run on a
# shared machine: the ratio to it carries that run's noise as well as this one's.
WRITE_BASELINES = {
    "M1": Baseline(167, "faab3e5, 2026-12-05"),
    "M2": Baseline(143, "faab3e5, 2026-12-05"),
}


def _rate(table: Table | None, server: str) -> float | None:
    row = None if table is None else table.rows.get(server)
    return None if row is None else row.median("rate")


def peer_ratio(tables: dict[str, Table], scenario: str) -> float | None:
    """Ours ÷ PostGraphile 5 in req/s (medians over the rounds), or None if either is missing."""
    ours, theirs = _rate(tables.get(scenario), OURS), _rate(tables.get(scenario), PEER)
    return ours / theirs if ours and theirs else None


def _peer_verdict(tables: dict[str, Table], scenario: str) -> Verdict:
    name = f"{scenario} ≥ {PEER_MINIMUM:g}× {PEERS[scenario]}"
    ours, theirs = _rate(tables.get(scenario), OURS), _rate(tables.get(scenario), PEER)
    if ours and theirs == 0:
        return Verdict(name, "the peer completed no request in a timed run", None)
    if not ours or not theirs:
        missing = "ours" if not ours else "PostGraphile 5"
        return Verdict(name, f"{missing} not measured", None)
    ratio = ours / theirs
    return Verdict(
        name, f"{ratio:.2f}× ({ours:,.0f} vs {theirs:,.0f} req/s)", ratio >= PEER_MINIMUM
    )


def _p95_verdict(tables: dict[str, Table], scenario: str, connections: int) -> Verdict:
    limit = P95_LIMITS_MS[scenario]
    name = f"{scenario} p95 ≤ {limit:.0f} ms at {P95_CONNECTIONS} connections"
    row = tables[scenario].rows.get(OURS) if scenario in tables else None
    p95 = None if row is None else row.median("p95")
    if p95 is None:
        return Verdict(name, "not measured", None)
    if connections != P95_CONNECTIONS:
        return Verdict(name, f"{p95:.1f} ms at {connections} connections: not judged", None)
    return Verdict(name, f"{p95:.1f} ms", p95 <= limit)


def _write_verdict(tables: dict[str, Table], scenario: str, baseline: Baseline) -> Verdict:
    name = (
        f"{scenario} ≥ {WRITE_FACTOR:g}× {baseline.rate:,.0f} req/s ({baseline.source}), no errors"
    )
    row = tables[scenario].rows.get(OURS) if scenario in tables else None
    rate = None if row is None else row.median("rate")
    if row is None or not row.samples or rate is None:
        return Verdict(name, "not measured", None)
    ratio = rate / baseline.rate
    measured = f"{rate:,.0f} req/s = {ratio:.2f}× the baseline; {row.failures} failed"
    return Verdict(name, measured, ratio >= WRITE_FACTOR and row.failures == 0)


def _parity(tables: dict[str, Table]) -> Verdict:
    """The issue stays open until Q1 and Q3 are at least at parity with their fair peers."""
    name = "Q1 and Q3 at parity with their peers (closes the issue)"
    ratios = {s: peer_ratio(tables, s) for s in ("Q1", "Q3")}
    measured = ", ".join(f"{s} {'–' if r is None else f'{r:.2f}×'}" for s, r in ratios.items())
    if any(r is None for r in ratios.values()):
        return Verdict(name, measured, None)
    return Verdict(name, measured, all(r is not None and r >= PARITY for r in ratios.values()))


def _one_transaction(tables: dict[str, Table], connections: int) -> Verdict:
    """Judged on the exact count (COMMIT/ROLLBACK per request over the timed run); the
    lifetime count, connection set-up included, is shown beside it."""
    name = "one transaction per request"
    rows = {s: t.rows[OURS] for s, t in tables.items() if OURS in t.rows and t.rows[OURS].samples}
    ends = {s: r.median("ends") for s, r in rows.items()}
    if not rows or any(e is None for e in ends.values()):
        return Verdict(name, "not measured", None)
    lifetime = {s: r.median("xacts") for s, r in rows.items()}
    measured = ", ".join(f"{s} {e:.3f}" for s, e in ends.items()) + " (COMMIT+ROLLBACK/req); "
    measured += ", ".join(f"{s} {x:.3f}" for s, x in lifetime.items() if x is not None)
    measured += " (pg_stat_database/req, connection set-up included)"

    def near_one(row: Row) -> bool:
        fewest = min(sample.requests for sample in row.samples) or 1
        slack = EXACT_SLACK + connections / fewest
        return all(s.ends is not None and abs(s.ends - 1) <= slack for s in row.samples)

    return Verdict(name, measured, all(near_one(r) for r in rows.values()))


def _rss(tables: dict[str, Table]) -> Verdict:
    name = f"server RSS ≤ {RSS_LIMIT_MB} MB per worker"
    rss = [t.rows[OURS].rss_max for t in tables.values() if OURS in t.rows]
    present = [r for r in rss if r is not None]
    if not present:
        return Verdict(name, "not measured", None)
    return Verdict(name, f"max {max(present):.0f} MB", max(present) <= RSS_LIMIT_MB)


def verdicts(
    tables: dict[str, Table],
    sizes: SizeProbe | None,
    connections: int = P95_CONNECTIONS,
    baselines: dict[str, Baseline] | None = None,
) -> list[Verdict]:
    """Every target of the issue, in the issue's order, for the scenarios the run measured
    (a scenario not in ``tables`` is left out; one whose figures are missing is "not
    measured")."""
    baselines = WRITE_BASELINES if baselines is None else baselines
    found = [_peer_verdict(tables, s) for s in PEERS if s in tables]
    found += [_p95_verdict(tables, s, connections) for s in P95_LIMITS_MS if s in tables]
    found += [_write_verdict(tables, s, baselines[s]) for s in ("M1", "M2") if s in tables]
    found.append(_rss(tables))
    found.append(_one_transaction(tables, connections))
    if sizes is None or sizes.independent is None:
        found.append(Verdict("statements independent of page and tree size", "not measured", None))
    else:
        found.append(
            Verdict(
                "statements independent of page and tree size", sizes.describe(), sizes.independent
            )
        )
    if "Q1" in tables or "Q3" in tables:
        found.append(_parity(tables))
    return found
