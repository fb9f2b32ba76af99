"""The compiled documents' client: an app whose platform documents are the test module's
``DOCUMENTS`` (name → text), with the view's compiled documents at ``http.compiled``."""

from __future__ import annotations

import httpx
import pytest

from partyplan.server.app import create_app


@pytest.fixture
async def http(request, platform, tmp_path):  # type: ignore[no-untyped-def]
    for name, text in request.module.DOCUMENTS.items():
        (tmp_path / f"{name}.graphql").write_text(text, encoding="utf-8")
    app = create_app(platform, manage_platform=False, documents_dir=tmp_path)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
        client.compiled = next(  # type: ignore[attr-defined]
            r.endpoint for r in app.routes if getattr(r, "path", None) == "/graphql"
        ).compiled
        yield client
