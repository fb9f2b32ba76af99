"""Log lines: JSON, one object a line, in production; readable text in development.

Every record carries the running request's id (and trace id, when tracing is on), so the lines
of one request are found together, and any ``extra=`` fields become fields of the line. The
access middleware writes one line per request on the ``partyplan.access`` logger
(``middleware.py``).
"""

from __future__ import annotations

import json
import logging
import sys
import time
from typing import IO, Any, Protocol

from .context import current

#: The attributes every LogRecord has: anything else on a record came from ``extra=``.
_STANDARD = frozenset(
    vars(logging.LogRecord("", logging.INFO, "", 0, "", (), None)).keys()
    | {"message", "asctime", "taskName"}
)
#: Fields written first, in this order, on every line.
_HEAD = ("time", "level", "logger", "message")
_MARK = "_partyplan_handler"


class LogSettings(Protocol):
    @property
    def log_level(self) -> str | None: ...

    @property
    def log_format(self) -> str: ...

    @property
    def is_production(self) -> bool: ...


class RequestFields(logging.Filter):
    """Stamps the running request's id and trace id on each record (None outside a request)."""

    def filter(self, record: logging.LogRecord) -> bool:
        observation = current()
        if not hasattr(record, "request_id"):
            record.request_id = None if observation is None else observation.request_id
        if not hasattr(record, "trace_id"):
            record.trace_id = None if observation is None else observation.trace_id
        return True


def extra_fields(record: logging.LogRecord) -> dict[str, Any]:
    """The record's own fields: what ``extra=`` (or :class:`RequestFields`) put on it."""
    return {
        key: value
        for key, value in vars(record).items()
        if key not in _STANDARD and not key.startswith("_")
    }


def _timestamp(record: logging.LogRecord) -> str:
    seconds = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(record.created))
    return f"{seconds}.{int(record.msecs):03d}Z"


class JsonFormatter(logging.Formatter):
    """One JSON object a line: time (UTC), level, logger, message, the request's fields, and
    the traceback as ``exception`` when there is one. Fields that are None are left out."""

    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, Any] = {
            "time": _timestamp(record),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
        }
        for key, value in extra_fields(record).items():
            if value is not None and key not in _HEAD:
                line[key] = value
        if record.exc_info:
            line["exception"] = self.formatException(record.exc_info)
        if record.stack_info:
            line["stack"] = self.formatStack(record.stack_info)
        return json.dumps(line, ensure_ascii=False, default=str)


class TextFormatter(logging.Formatter):
    """``time LEVEL logger: message key=value …`` for a person at a terminal."""

    def __init__(self) -> None:
        super().__init__("%(asctime)s %(levelname)-7s %(name)s: %(message)s")

    def format(self, record: logging.LogRecord) -> str:
        text = super().format(record)
        fields = " ".join(
            f"{key}={value}" for key, value in extra_fields(record).items() if value is not None
        )
        if not fields:
            return text
        head, newline, rest = text.partition("\n")  # a traceback stays below the first line
        return f"{head}  {fields}{newline}{rest}"


def wants_json(settings: LogSettings) -> bool:
    if settings.log_format == "auto":
        return settings.is_production
    return settings.log_format == "json"


def level_of(settings: LogSettings) -> str:
    """``log_level``; unset, info in production (an access line per request) and warning in
    development (a developer's terminal shows what it showed before: problems)."""
    return settings.log_level or ("info" if settings.is_production else "warning")


def configure_logging(
    settings: LogSettings, stream: IO[str] | None = None, *, replace: bool = False
) -> logging.Handler:
    """Send every logger's records at the settings' level and above to ``stream`` (standard
    error) in the format the settings choose. Replaces the handler an earlier call installed —
    every handler of the root logger with ``replace`` (``serve`` owns its process) — and
    returns the new one."""
    root = logging.getLogger()
    for handler in list(root.handlers):
        if replace or getattr(handler, _MARK, False):
            root.removeHandler(handler)
    handler = logging.StreamHandler(stream or sys.stderr)
    setattr(handler, _MARK, True)
    handler.setFormatter(JsonFormatter() if wants_json(settings) else TextFormatter())
    handler.addFilter(RequestFields())
    root.addHandler(handler)
    root.setLevel(level_of(settings).upper())
    return handler
