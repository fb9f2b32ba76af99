"""The settings of logs, metrics and traces (server/observability, docs/operations.md "Logs and
metrics").

A section of :class:`~partyplan.server.settings.Settings`, which is the only class to
instantiate. Whether the OpenTelemetry packages an exporter needs are installed is Settings'
check, made once every value is read and in a fixed order with its other checks across
settings.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field, SecretStr, field_validator

__all__ = ["ObservabilitySettings"]


class ObservabilitySettings(BaseModel):
    """What is logged and how, who may scrape the metrics, and where traces go."""

    log_level: Literal["debug", "info", "warning", "error"] | None = Field(
        default=None,
        description="Least severe log records written: info shows an access line per request, "
        "debug the probes' too. Unset: info in production, warning in development.",
    )
    log_format: Literal["auto", "json", "text"] = Field(
        default="auto",
        description="auto: one JSON object a line in production, readable text otherwise.",
    )
    metrics_token: SecretStr | None = Field(
        default=None,
        description="Bearer token Prometheus sends to /metrics (at least 16 characters). "
        "Unset: /metrics is open in development and refused in production.",
    )
    otel_exporter: Literal["none", "otlp", "console"] = Field(
        default="none",
        description="Where OpenTelemetry traces go: none (off), otlp (OTLP/HTTP, configured by "
        "the OTEL_EXPORTER_OTLP_* variables) or console; needs partyplan[tracing].",
    )
    otel_service_name: str = Field(default="partyplan", min_length=1, max_length=100)

    @field_validator("log_level", "log_format", "otel_exporter", mode="before")
    @classmethod
    def _lower_case(cls, value: object) -> object:
        if isinstance(value, str):
            return value.strip().lower() or None  # empty: unset
        return value

    @field_validator("metrics_token", mode="before")
    @classmethod
    def _metrics_token(cls, value: object) -> object:
        """At least 16 printable ASCII characters without spaces (it travels in a header)."""
        if value == "":
            return None
        text = value.get_secret_value() if isinstance(value, SecretStr) else value
        if isinstance(text, str) and not (
            16 <= len(text) <= 512 and text.isascii() and text.isprintable() and " " not in text
        ):
            raise ValueError("must be 16 to 512 printable ASCII characters without spaces")
        return value
