"""OpenTelemetry traces, off unless ``otel_exporter`` names an exporter.

One server span per HTTP request, continuing the caller's trace when the request carries a
W3C ``traceparent``; named ``<method> <route>`` and carrying the request id, the GraphQL
operation's name and type, the user and the status. Spans are exported in batches by the
OpenTelemetry SDK, which is an optional extra (``pip install 'partyplan[tracing]'``):

- ``otlp``: OTLP over HTTP; where to is the SDK's own environment (``OTEL_EXPORTER_OTLP_ENDPOINT``,
  ``OTEL_EXPORTER_OTLP_HEADERS``, …);
- ``console``: each span printed on standard output (to try it out).

The provider is the application's own, not the process-wide one, and is shut down (its last
spans flushed) when the application stops. Resolvers get no span of their own: a span per
field would cost more than the fields (``schema/execution.py``).
"""

from __future__ import annotations

import contextlib
import importlib.util
from collections.abc import Iterator
from typing import Any, Protocol

from .context import Observation

#: The module each exporter needs, for the settings' check at start.
EXPORTER_MODULES = {
    "otlp": "opentelemetry.exporter.otlp.proto.http.trace_exporter",
    "console": "opentelemetry.sdk.trace.export",
}
INSTALL_HINT = "pip install 'partyplan[tracing]'"


class TraceSettings(Protocol):
    @property
    def otel_exporter(self) -> str: ...

    @property
    def otel_service_name(self) -> str: ...


def missing_module(exporter: str) -> str | None:
    """The module ``exporter`` needs when it cannot be imported here, else None."""
    module = EXPORTER_MODULES.get(exporter)
    if module is None:
        return None
    try:
        found = importlib.util.find_spec(module) is not None
    except ModuleNotFoundError:
        found = False
    return None if found else module


def _exporter(name: str) -> Any:
    if name == "otlp":
        from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter

        return OTLPSpanExporter()
    from opentelemetry.sdk.trace.export import ConsoleSpanExporter

    return ConsoleSpanExporter()


class Tracing:
    """The application's tracer; ``exporter`` replaces the configured one (tests)."""

    def __init__(self, settings: TraceSettings, exporter: Any = None) -> None:
        from opentelemetry.sdk.resources import Resource
        from opentelemetry.sdk.trace import TracerProvider
        from opentelemetry.sdk.trace.export import BatchSpanProcessor

        self.provider = TracerProvider(
            resource=Resource.create({"service.name": settings.otel_service_name}),
            shutdown_on_exit=False,  # the application's lifespan shuts it down
        )
        self.provider.add_span_processor(
            BatchSpanProcessor(exporter or _exporter(settings.otel_exporter))
        )
        self.tracer = self.provider.get_tracer("partyplan")

    @classmethod
    def of(cls, settings: TraceSettings) -> Tracing | None:
        return None if settings.otel_exporter == "none" else cls(settings)

    @contextlib.contextmanager
    def span(self, method: str, headers: dict[str, str], observation: Observation) -> Iterator[Any]:
        from opentelemetry import propagate
        from opentelemetry.trace import SpanKind

        parent = propagate.extract(headers)
        with self.tracer.start_as_current_span(
            method, context=parent, kind=SpanKind.SERVER, record_exception=False
        ) as span:
            observation.trace_id = format(span.get_span_context().trace_id, "032x")
            span.set_attribute("http.request.method", method)
            span.set_attribute("partyplan.request_id", observation.request_id)
            yield span

    @staticmethod
    def finish(span: Any, path: str, route: str, status: int, observation: Observation) -> None:
        from opentelemetry.trace import Status, StatusCode

        span.update_name(f"{span.name} {route}")
        span.set_attribute("url.path", path)
        span.set_attribute("http.route", route)
        span.set_attribute("http.response.status_code", status)
        for key, value in (
            ("graphql.operation.name", observation.operation),
            ("graphql.operation.type", observation.operation_type),
            ("enduser.id", observation.user),
            ("partyplan.client_id", observation.client),
            ("partyplan.outcome", observation.outcome),
        ):
            if value is not None:
                span.set_attribute(key, value)
        if status >= 500 or observation.outcome == "server_error":
            span.set_status(Status(StatusCode.ERROR))

    def close(self) -> None:
        self.provider.shutdown()
