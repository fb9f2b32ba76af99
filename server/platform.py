"""The running platform's parts: database (embedded or external), migrations, engine, keys.

Used by the ASGI lifespan (``serve``), the CLI and the tests alike. The embedded server is
stopped here, from the lifespan, never from ``atexit``: uvicorn re-raises SIGTERM after its
graceful shutdown, so ``atexit`` handlers would not run.
"""

from __future__ import annotations

import logging

from sqlalchemy.ext.asyncio import AsyncEngine

from partyplan.auth.keys import KeyStore
from partyplan.auth.links import LinkService
from partyplan.auth.tokens import TokenService
from partyplan.resolvers.recruits.pii import PiiCipher

from . import database_admin
from .database import app_url_from_owner, create_app_engine, with_database
from .embedded import EmbeddedPostgres
from .settings import Settings

log = logging.getLogger("partyplan")

EMBEDDED_DATABASE = "partyplan"


class Platform:
    def __init__(self, settings: Settings, *, migrate: bool = True) -> None:
        self.settings = settings
        self.migrate = migrate
        self.embedded: EmbeddedPostgres | None = None
        self.owner_url: str | None = None
        self.engine: AsyncEngine | None = None
        self.keys = KeyStore.load_or_create(settings.resolved_key_dir)
        # The PII key lives beside the signing key, outside the repository and the database.
        self.pii = PiiCipher.from_settings(settings)
        self.tokens = TokenService(
            self.keys,
            issuer=settings.token_issuer,
            audience=settings.token_audience,
            leeway_seconds=settings.token_leeway_seconds,
            max_ttl_seconds=settings.token_max_ttl_seconds,
        )
        self.links = LinkService.from_settings(self.keys, settings)

    async def start_database(self) -> str:
        """Start (or adopt) the embedded server unless an external URL is set; migrate."""
        if self.owner_url is None:
            if self.settings.database_url:
                self.owner_url = self.settings.database_url
            else:
                self.settings.data_dir.mkdir(parents=True, exist_ok=True)
                self.embedded = EmbeddedPostgres(self.settings.data_dir)
                self.owner_url = with_database(self.embedded.start(), EMBEDDED_DATABASE)
            if self.migrate:
                await database_admin.upgrade(
                    self.owner_url, self.settings.app_role, self.settings.app_password
                )
        return self.owner_url

    @property
    def app_url(self) -> str:
        if self.settings.app_database_url:
            return self.settings.app_database_url
        assert self.owner_url is not None, "start_database() first"
        return app_url_from_owner(
            self.owner_url, self.settings.app_role, self.settings.app_password
        )

    async def start(self) -> None:
        await self.start_database()
        self.engine = create_app_engine(self.app_url, self.settings.pool_size)

    async def stop(self) -> None:
        try:
            if self.engine is not None:
                await self.engine.dispose()
                self.engine = None
        finally:
            if self.embedded is not None:
                self.embedded.stop()
                self.embedded = None
