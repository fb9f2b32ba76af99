"""Our service as a uvicorn app factory, for ``uvicorn --factory --workers N``.

    uvicorn partyplan.bench.runner.serve:create --factory --workers 2

Each worker reads its settings from the environment (``PARTYPLAN_DATABASE_URL``: the owner
URL of a database that is already migrated and running; ``PARTYPLAN_DATA_DIR`` /
``PARTYPLAN_KEY_DIR``: the signing and PII keys; ``PARTYPLAN_ENVIRONMENT``) and the folder of
the documents it knows by id from ``PARTYPLAN_BENCH_DOCUMENTS`` (the platform's and the
scenarios', written by the runner: ``scenarios.write_documents``). No worker
migrates, and none starts or stops an embedded server: the runner owns the database, so that
one worker's shutdown cannot stop it under the others.
"""

from __future__ import annotations

import os
from pathlib import Path

from starlette.applications import Starlette

from partyplan.schema.policies.admission import PLATFORM_DOCUMENTS
from partyplan.server.app import create_app
from partyplan.server.platform import Platform
from partyplan.server.settings import Settings


def create() -> Starlette:
    settings = Settings()
    if not settings.database_url:
        raise RuntimeError("PARTYPLAN_DATABASE_URL must name the running benchmark database")
    documents = os.environ.get("PARTYPLAN_BENCH_DOCUMENTS")
    folder = PLATFORM_DOCUMENTS if documents is None else Path(documents)
    return create_app(Platform(settings, migrate=False), documents_dir=folder)
