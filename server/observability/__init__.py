"""Logs, metrics and traces of the running service (docs/operations.md, "Logs and metrics").

:class:`Observability` is what ``server/app.py`` builds once per application: the metrics
registry (``metrics.py``), the tracer when ``otel_exporter`` is set (``tracing.py``), the
access middleware that ties a request to both (``middleware.py``) and the ``/metrics`` route
(``endpoint.py``). Logging is configured once per process, by ``serve`` (``logs.py``).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, Protocol

from pydantic import SecretStr
from sqlalchemy.ext.asyncio import AsyncEngine
from starlette.routing import BaseRoute, Route

from . import endpoint
from .context import REQUEST_ID_HEADER, current, note_caller, request_id
from .graphql import OperationObserver, observed
from .logs import configure_logging
from .metrics import Metrics
from .middleware import Observe
from .tracing import Tracing

__all__ = [
    "REQUEST_ID_HEADER",
    "Observability",
    "Observe",
    "OperationObserver",
    "configure_logging",
    "current",
    "note_caller",
    "observed",
    "request_id",
]


class ObservabilitySettings(Protocol):
    @property
    def metrics_token(self) -> SecretStr | None: ...

    @property
    def is_production(self) -> bool: ...

    @property
    def otel_exporter(self) -> str: ...

    @property
    def otel_service_name(self) -> str: ...


class Observability:
    def __init__(
        self,
        settings: ObservabilitySettings,
        engine: Callable[[], AsyncEngine | None],
        tracing: Tracing | None = None,
    ) -> None:
        self.settings = settings
        self.metrics = Metrics(engine)
        self.tracing = tracing if tracing is not None else Tracing.of(settings)

    def routes(self) -> list[Route]:
        return endpoint.routes(self.metrics, self.settings)

    def middleware(self, routes: Sequence[BaseRoute]) -> dict[str, Any]:
        """Keyword arguments of ``app.add_middleware(Observe, **…)``."""
        return {"metrics": self.metrics, "routes": routes, "tracing": lambda: self.tracing}

    def close(self) -> None:
        if self.tracing is not None:
            self.tracing.close()
