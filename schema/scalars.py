"""Descriptions of the scalars strawberry supplies (``Date``, ``DateTime``, ``JSON``,
``Upload``), Chinese first like the rest of the schema.

Each override is strawberry's own definition with only its description replaced, passed to the
schema as ``scalar_overrides``: names, serialization and parsing stay strawberry's. The
GraphQL spec's scalars (``String``, ``Int``, ``Float``, ``Boolean``, ``ID``) keep the spec's
descriptions."""

from __future__ import annotations

import dataclasses
from datetime import date, datetime

from strawberry.file_uploads import Upload
from strawberry.scalars import JSON
from strawberry.schema.types.scalar import DEFAULT_SCALAR_REGISTRY
from strawberry.types.scalar import ScalarDefinition

DESCRIPTIONS: dict[object, str] = {
    date: "日期：a calendar date as `YYYY-MM-DD` (ISO 8601). Procedure dates are dates in China "
    "Standard Time, never derived from a UTC timestamp.",
    datetime: "日期时间：a moment as an ISO 8601 date and time with its UTC offset, e.g. "
    "`2024-05-06T09:30:00+00:00`.",
    JSON: "JSON 数据：any JSON value (object, array, string, number, boolean or null); its shape "
    "is given by the field that carries it.",
    Upload: "上传的文件：a file sent as a part of a multipart request (the GraphQL multipart "
    "request convention), never as a JSON value.",
}


def described_scalars() -> dict[object, ScalarDefinition]:
    """The ``scalar_overrides`` for ``strawberry.Schema``."""
    return {
        python_type: dataclasses.replace(
            DEFAULT_SCALAR_REGISTRY[python_type], description=text, implementation=None
        )
        for python_type, text in DESCRIPTIONS.items()
    }
