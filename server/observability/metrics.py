"""``/metrics`` for Prometheus: one registry per application, scraped from each replica.

- ``partyplan_http_requests_total{method,route,status}`` and
  ``partyplan_http_request_duration_seconds{method,route}``: every request; ``route`` is the
  matched route's template (``unmatched`` otherwise), never the raw path.
- ``partyplan_graphql_operations_total{operation,type,outcome}`` and
  ``partyplan_graphql_operation_duration_seconds{operation,type}``: every GraphQL request;
  ``outcome`` is ok, refused (a mutation answered with typed errors), client_error,
  server_error or rate_limited (``graphql.py``). Operation names come from clients, so at most
  :data:`MAX_OPERATIONS` distinct ones get a series of their own (``_other`` after that,
  ``_anonymous`` without a name, ``_invalid`` for a name that is not a GraphQL name,
  ``_unknown`` when the request never reached the schema).
- ``partyplan_rate_limited_total{client}``: refusals of the rate limits (``server/limits.py``)
  by OAuth2 client id; ``direct`` for a token without a client, ``anonymous`` without a token.
- ``partyplan_db_pool_size``, ``…_in_use``, ``…_idle``: the service engine's pool, read at
  each scrape.
- ``partyplan_open_warnings{kind}``, ``partyplan_tallies_drift{tallies}``,
  ``partyplan_tallies_verified_timestamp_seconds{tallies}`` and ``partyplan_database_up``: read
  from the database at a scrape, at most every ``cache_seconds`` (``checks.py``).
- the client library's ``process_*`` and ``python_*`` series.
"""

from __future__ import annotations

import asyncio
import logging
import re
import time
from collections.abc import Callable, Iterator

from prometheus_client import (
    CollectorRegistry,
    Counter,
    Gauge,
    GCCollector,
    Histogram,
    PlatformCollector,
    ProcessCollector,
    disable_created_metrics,
)
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.registry import Collector
from sqlalchemy.ext.asyncio import AsyncEngine

from partyplan.models.warnings import WARNING_KINDS

from .checks import open_warnings, tally_checks

log = logging.getLogger("partyplan.metrics")

# The ``*_created`` series double every counter for a timestamp nobody alerts on.
disable_created_metrics()

MAX_OPERATIONS = 200
_NAME = re.compile(r"[_A-Za-z][_0-9A-Za-z]{0,99}")
_METHODS = frozenset({"GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"})
#: Seconds: Prometheus' defaults, and two more for a workbook export or a 12371 import.
BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10, 30, 60)
#: How long a scrape waits for the database before it answers without its figures.
DATABASE_TIMEOUT = 2.0


class OperationNames:
    """Bounds the ``operation`` label: the first ``limit`` distinct names keep their own."""

    def __init__(self, limit: int = MAX_OPERATIONS) -> None:
        self.limit = limit
        self._seen: set[str] = set()

    def label(self, name: str | None) -> str:
        if name is None:
            return "_anonymous"
        if not _NAME.fullmatch(name):
            return "_invalid"
        if name in self._seen:
            return name
        if len(self._seen) >= self.limit:
            return "_other"
        self._seen.add(name)
        return name


class PoolCollector(Collector):
    """The service engine's connection pool, read when scraped (the engine may be replaced
    while the service runs, so it is asked for each time)."""

    def __init__(self, engine: Callable[[], AsyncEngine | None]) -> None:
        self.engine = engine

    def collect(self) -> Iterator[Metric]:
        engine = self.engine()
        pool = None if engine is None else engine.sync_engine.pool
        if pool is None or not callable(getattr(pool, "size", None)):
            return
        in_use, idle = pool.checkedout(), pool.checkedin()  # type: ignore[attr-defined]
        yield GaugeMetricFamily(
            "partyplan_db_pool_size", "Connections the pool keeps.", value=pool.size()
        )
        yield GaugeMetricFamily(
            "partyplan_db_pool_in_use", "Connections lent to requests now.", value=in_use
        )
        yield GaugeMetricFamily("partyplan_db_pool_idle", "Connections open and free.", value=idle)


class Metrics:
    def __init__(
        self,
        engine: Callable[[], AsyncEngine | None],
        *,
        cache_seconds: float = 15.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.engine, self.cache_seconds, self._clock = engine, cache_seconds, clock
        self.registry = r = CollectorRegistry()
        ProcessCollector(registry=r)
        PlatformCollector(registry=r)
        GCCollector(registry=r)
        r.register(PoolCollector(engine))
        self.names = OperationNames()
        self.http_requests = Counter(
            "partyplan_http_requests",
            "HTTP requests answered, by method, route template and status.",
            ["method", "route", "status"],
            registry=r,
        )
        self.http_duration = Histogram(
            "partyplan_http_request_duration_seconds",
            "Time from a request's arrival to the end of its answer.",
            ["method", "route"],
            buckets=BUCKETS,
            registry=r,
        )
        self.operations = Counter(
            "partyplan_graphql_operations",
            "GraphQL requests by operation name, type and outcome.",
            ["operation", "type", "outcome"],
            registry=r,
        )
        self.operation_duration = Histogram(
            "partyplan_graphql_operation_duration_seconds",
            "Time of a GraphQL request, by operation name and type.",
            ["operation", "type"],
            buckets=BUCKETS,
            registry=r,
        )
        self.rate_limited = Counter(
            "partyplan_rate_limited",
            "Requests refused by the rate limits, by OAuth2 client.",
            ["client"],
            registry=r,
        )
        self.database_up = Gauge(
            "partyplan_database_up",
            "1 when the last scrape read the database's figures, else 0.",
            registry=r,
        )
        self.open_warnings = Gauge(
            "partyplan_open_warnings",
            "Open warnings of every school, by kind.",
            ["kind"],
            registry=r,
        )
        self.tallies_drift = Gauge(
            "partyplan_tallies_drift",
            "Rows that differed at the last `partyplan tallies verify`, by family of tallies.",
            ["tallies"],
            registry=r,
        )
        self.tallies_verified = Gauge(
            "partyplan_tallies_verified_timestamp_seconds",
            "When `partyplan tallies verify` last ran, by family of tallies.",
            ["tallies"],
            registry=r,
        )
        self._read_at: float | None = None
        self._reading = asyncio.Lock()

    def request(self, method: str, route: str, status: int, seconds: float) -> None:
        method = method if method in _METHODS else "other"
        self.http_requests.labels(method, route, str(status)).inc()
        self.http_duration.labels(method, route).observe(seconds)

    def operation(
        self, name: str | None, kind: str | None, outcome: str, seconds: float, known: bool
    ) -> None:
        """One GraphQL request; ``known``: it reached the schema (else its name is unknown)."""
        label = self.names.label(name) if known else "_unknown"
        kind = kind or "unknown"
        self.operations.labels(label, kind, outcome).inc()
        self.operation_duration.labels(label, kind).observe(seconds)

    def refused(self, client: str | None, user: str | None) -> None:
        who = client if client is not None else ("direct" if user is not None else "anonymous")
        self.rate_limited.labels(who).inc()

    async def read_database(self) -> None:
        """Refresh the database's figures unless read within ``cache_seconds`` (every replica
        is scraped, and each scrape would otherwise count the warnings again)."""
        async with self._reading:
            now = self._clock()
            if self._read_at is not None and now - self._read_at < self.cache_seconds:
                return
            self._read_at = now
            try:
                engine = self.engine()
                assert engine is not None, "the platform has not started"
                async with asyncio.timeout(DATABASE_TIMEOUT), engine.connect() as conn:
                    warnings = await open_warnings(conn)
                    found = await tally_checks(conn)
            except Exception as error:  # noqa: BLE001 - a scrape answers without these figures
                log.warning("metrics: reading the database failed: %s", type(error).__name__)
                self.database_up.set(0)
                for gauge in (self.open_warnings, self.tallies_drift, self.tallies_verified):
                    gauge.clear()  # no stale figure passes for a current one
                return
            self.database_up.set(1)
            for kind in sorted({*WARNING_KINDS, *warnings}):
                self.open_warnings.labels(kind).set(warnings.get(kind, 0))
            for check in found:
                self.tallies_drift.labels(check.tallies).set(check.differences)
                self.tallies_verified.labels(check.tallies).set(check.at)
