"""Figures of a run: samples per (scenario, server), their medians over the rounds, the
tables printed to the terminal and written to BENCHMARKS.md, and the targets' verdicts.

Only ratios taken inside one run mean anything on a 2-core machine shared with the load
generator, so every row carries its ratio to the floor (and to the peer, and for Q1 to the
live aggregation) from the same run.
"""

from __future__ import annotations

import statistics
from dataclasses import dataclass, field
from pathlib import Path

OURS, FLOOR, LIVE, PEER = "partyplan", "floor", "floor live", "postgraphile5"
BEGIN, END = "<!-- bench-run:begin -->", "<!-- bench-run:end -->"


@dataclass(frozen=True)
class Sample:
    """One timed run of one server on one scenario."""

    rate: float
    p50: float
    p95: float
    p99: float
    requests: int
    errors: int = 0
    failures: int = 0
    statements: float | None = None  # per request, transaction control excluded
    tx_control: float | None = None  # BEGIN/COMMIT/ROLLBACK per request
    ends: float | None = None  # COMMIT/ROLLBACK per request (pg_stat_statements, exact)
    xacts: float | None = None
    server_cpu_ms: float | None = None
    pg_cpu_ms: float | None = None
    rss_mb: tuple[float, ...] = ()


def _median(values: list[float | None]) -> float | None:
    present = [v for v in values if v is not None]
    return statistics.median(present) if present else None


@dataclass
class Row:
    server: str
    samples: list[Sample] = field(default_factory=list)
    note: str = ""

    def median(self, name: str) -> float | None:
        return _median([getattr(s, name) for s in self.samples])

    @property
    def rss_max(self) -> float | None:
        values = [mb for s in self.samples for mb in s.rss_mb]
        return max(values) if values else None

    @property
    def failures(self) -> int:
        return sum(s.failures + s.errors for s in self.samples)


@dataclass
class Table:
    scenario: str
    title: str
    rows: dict[str, Row] = field(default_factory=dict)

    def row(self, server: str) -> Row:
        return self.rows.setdefault(server, Row(server))

    def ratio(self, server: str, to: str) -> float | None:
        a, b = self.rows.get(server), self.rows.get(to)
        if a is None or b is None:
            return None
        ra, rb = a.median("rate"), b.median("rate")
        return ra / rb if ra and rb else None


def _num(value: float | None, digits: int = 1) -> str:
    return "–" if value is None else f"{value:,.{digits}f}"


def _ratio(value: float | None) -> str:
    return "–" if value is None else f"{value:.2f}×"


HEADER = (
    "server",
    "req/s",
    "p50 ms",
    "p95 ms",
    "p99 ms",
    "stmts/req",
    "xacts/req",
    "server CPU ms/req",
    "PG CPU ms/req",
    "RSS MB/worker",
    "× floor",
    "× peer",
)


def cells(table: Table) -> list[tuple[str, ...]]:
    """The table's rows as strings, in HEADER's columns (Q1 adds × live)."""
    out = []
    for name, row in table.rows.items():
        if not row.samples:
            out.append((name, row.note or "not measured", *("" for _ in HEADER[2:])))
            continue
        values = (
            name,
            _num(row.median("rate"), 0),
            _num(row.median("p50"), 2),
            _num(row.median("p95"), 2),
            _num(row.median("p99"), 2),
            _num(row.median("statements"), 2),
            _num(row.median("xacts"), 3),
            _num(row.median("server_cpu_ms"), 2),
            _num(row.median("pg_cpu_ms"), 2),
            _num(row.rss_max, 0),
            _ratio(table.ratio(name, FLOOR)),
            _ratio(table.ratio(name, PEER)),
        )
        if table.scenario == "Q1":
            values = (*values, _ratio(table.ratio(name, LIVE)))
        if row.failures:
            values = (*values, f"{row.failures} failed")
        out.append(values)
    return out


def header(table: Table) -> tuple[str, ...]:
    return (*HEADER, "× live") if table.scenario == "Q1" else HEADER


def render_text(table: Table) -> str:
    head = header(table)
    body = cells(table)
    widths = [max(len(r[i]) if i < len(r) else 0 for r in [head, *body]) for i in range(len(head))]
    lines = [f"{table.scenario}: {table.title}"]
    for r in [head, *body]:
        lines.append(
            "  ".join(
                c.rjust(w) if i else c.ljust(w)
                for i, (c, w) in enumerate(zip(r, widths, strict=False))
            )
        )
        extra = r[len(head) :]
        if extra:
            lines[-1] += "  " + " ".join(extra)
    return "\n".join(lines)


def render_markdown(table: Table) -> str:
    head = header(table)
    lines = [
        f"**{table.scenario}** — {table.title}",
        "",
        "| " + " | ".join(head) + " |",
        "|" + "---|" * len(head),
    ]
    for r in cells(table):
        padded = list(r[: len(head)]) + [""] * (len(head) - len(r))
        if len(r) > len(head):
            padded[0] += f" ({', '.join(r[len(head) :])})"
        lines.append("| " + " | ".join(padded) + " |")
    return "\n".join(lines)


@dataclass(frozen=True)
class Verdict:
    target: str
    measured: str
    met: bool | None  # None: not measured

    @property
    def mark(self) -> str:
        return {True: "met", False: "not met", None: "not measured"}[self.met]


def render_verdicts_text(verdicts: list[Verdict]) -> str:
    width = max(len(v.target) for v in verdicts)
    return "\n".join(f"  {v.mark:<12} {v.target:<{width}}  {v.measured}" for v in verdicts)


def render_verdicts_markdown(verdicts: list[Verdict]) -> str:
    lines = ["| target | measured | verdict |", "|---|---|---|"]
    lines += [f"| {v.target} | {v.measured} | {v.mark} |" for v in verdicts]
    return "\n".join(lines)


def write_section(path: Path, section: str) -> None:
    """Replace the delimited section of ``path`` (or append it), keeping everything else."""
    text = path.read_text(encoding="utf-8") if path.exists() else "# Benchmarks\n"
    block = f"{BEGIN}\n{section.strip()}\n{END}\n"
    if BEGIN in text and END in text:
        head, _, rest = text.partition(BEGIN)
        _, _, tail = rest.partition(END)
        rest_of_file = tail.lstrip("\n")
        text = head + block + ("\n" + rest_of_file if rest_of_file else "")
    else:
        text = text.rstrip("\n") + "\n\n" + block
    path.write_text(text, encoding="utf-8")
