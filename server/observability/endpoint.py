"""The ``/metrics`` route and who may read it.

Production serves it only with a bearer token: ``metrics_token`` set, and the scraper sends
``Authorization: Bearer <metrics_token>``; without the setting the route refuses every scrape
(403), with it a scrape without the right token gets 401. Development serves it openly unless
``metrics_token`` is set, which then applies there too. The figures are not tenant data, but
operation names, client ids and load are nobody else's business.
"""

from __future__ import annotations

import hmac
from typing import Protocol

from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from pydantic import SecretStr
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from .metrics import Metrics

PATH = "/metrics"


class MetricsSettings(Protocol):
    @property
    def metrics_token(self) -> SecretStr | None: ...

    @property
    def is_production(self) -> bool: ...


def _refusal(status: int, code: str, message: str) -> Response:
    headers = {"WWW-Authenticate": 'Bearer realm="metrics"'} if status == 401 else None
    # Shaped as the other plain routes' errors (the downloads'): {"error", "code"}.
    return JSONResponse({"error": message, "code": code}, status_code=status, headers=headers)


def refusal(request: Request, settings: MetricsSettings) -> Response | None:
    """The answer refusing this scrape, or None when it may read the metrics."""
    token = settings.metrics_token
    if token is None:
        if settings.is_production:
            return _refusal(
                403, "FORBIDDEN", "metrics_token is not set: /metrics is not served in production"
            )
        return None
    scheme, _, given = request.headers.get("authorization", "").partition(" ")
    expected = token.get_secret_value().encode()
    if scheme.lower() != "bearer" or not hmac.compare_digest(given.strip().encode(), expected):
        return _refusal(401, "UNAUTHENTICATED", "/metrics needs the bearer token metrics_token")
    return None


def routes(metrics: Metrics, settings: MetricsSettings) -> list[Route]:
    async def scrape(request: Request) -> Response:
        refused = refusal(request, settings)
        if refused is not None:
            return refused
        await metrics.read_database()
        return Response(generate_latest(metrics.registry), media_type=CONTENT_TYPE_LATEST)

    return [Route(PATH, scrape, methods=["GET"])]
