"""The running platform's parts: database (embedded or external), migrations, engine, keys.

Used by the ASGI lifespan (``serve``), the CLI and the tests alike. The embedded server is
stopped here, from the lifespan, never from ``atexit``: uvicorn re-raises SIGTERM after its
graceful shutdown, so ``atexit`` handlers would not run.

The database follows ``settings.database_mode`` (README "Settings"): ``embedded`` starts the
server in ``data_dir``; ``external`` uses the owner's URL; ``service`` has the service role's URL
only, so it never starts an embedded server and never migrates. Whatever the mode, the service
serves only a database at this release's schema revision, checked with its own credentials.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from sqlalchemy.ext.asyncio import AsyncEngine

from partyplan.auth.keys import KeyStore, KeyStoreError
from partyplan.auth.links import LinkService
from partyplan.auth.tokens import TokenService
from partyplan.resolvers.recruits.pii import PiiCipher

from . import backfills, database_admin
from .database import app_url_from_owner, create_app_engine, with_database
from .embedded import EmbeddedPostgres, Watchdog
from .embedded.watchdog import State
from .errors import StartupRefused
from .replica import ReplicaRouter, replica_url
from .settings import Settings

log = logging.getLogger("partyplan")

EMBEDDED_DATABASE = "partyplan"


class Platform:
    def __init__(self, settings: Settings, *, migrate: bool | None = None) -> None:
        """``migrate``: whether starting migrates (as the owner); unset, the settings say
        (``migrates_on_start``). Without it the schema revision is only checked."""
        self.settings = settings
        self.migrate = settings.migrates_on_start if migrate is None else migrate
        if self.migrate and settings.database_mode == "service":
            raise StartupRefused(
                "cannot migrate with PARTYPLAN_APP_DATABASE_URL alone: set PARTYPLAN_DATABASE_URL "
                "(the owner's URL) or run `partyplan db upgrade` where it is set"
            )
        self.prepared = False
        self.embedded: EmbeddedPostgres | None = None
        self.owner_url: str | None = None
        self.engine: AsyncEngine | None = None
        #: The streaming replica the declared replica reads may use (``REPLICA_URL``).
        self.replica: ReplicaRouter | None = None
        self.watchdog: Watchdog | None = None  # restarts a dead embedded server while serving
        #: Called when the embedded server died and could not be started again (serve exits).
        self.on_database_failed: Callable[[], None] | None = None
        try:
            # Read only when given from outside (production, a mounted Secret); created on the
            # first start only in an owned key directory in development (auth/keys.py).
            self.keys = KeyStore.from_settings(settings)
            # The PII key lives beside the signing key (or in PARTYPLAN_PII_KEY), outside the
            # repository and the database; production never generates one.
            self.pii = PiiCipher.from_settings(settings)
        except KeyStoreError as error:  # PiiKeyError is one too
            raise StartupRefused(str(error)) from None
        self.tokens = TokenService(
            self.keys,
            issuer=settings.token_issuer,
            audience=settings.token_audience,
            leeway_seconds=settings.token_leeway_seconds,
            max_ttl_seconds=settings.token_max_ttl_seconds,
            # Verified tokens remembered per process; revocation is still asked at every bind.
            cache_size=settings.token_cache_size,
        )
        self.links = LinkService.from_settings(self.keys, settings)

    async def start_database(self) -> str | None:
        """Start (or adopt) the embedded server in embedded mode; migrate if ``migrate``.
        The owner's URL, None with the service role's URL alone."""
        if self.owner_url is None and self.settings.database_mode != "service":
            if self.settings.database_url:
                self.owner_url = self.settings.database_url
            else:
                self.owner_url = with_database(self.claim_data_dir().start(), EMBEDDED_DATABASE)
            if self.migrate:
                await database_admin.upgrade(
                    self.owner_url, self.settings.app_role, self.settings.app_password
                )
                await backfills.fill_at(self.owner_url)
        return self.owner_url

    def claim_data_dir(self) -> EmbeddedPostgres:
        """Own the embedded server's data directory, before anything starts: a second server
        on it is refused here (``DataDirInUse``, a :class:`StartupRefused`)."""
        if self.embedded is None:
            self.settings.data_dir.mkdir(parents=True, exist_ok=True)
            embedded = EmbeddedPostgres(self.settings.data_dir)
            embedded.claim()
            self.embedded = embedded
        return self.embedded

    @property
    def database_state(self) -> State:
        """``up``; ``restarting`` while the watchdog starts a dead embedded server again;
        ``failed`` when it could not."""
        return "up" if self.watchdog is None else self.watchdog.state

    async def _database_restarted(self) -> None:
        if self.engine is not None:
            await self.engine.dispose()  # the pooled connections died with the server

    async def prepare(self) -> None:
        """Everything before serving that may refuse: the database started (embedded),
        migrated or not, and its schema revision checked as the service role
        (:class:`StartupRefused` when it is not this release's). Idempotent: ``serve`` runs it
        before listening, so that a refusal is one line rather than a failed lifespan; a
        refusal leaves no embedded server running."""
        if self.prepared:
            return
        try:
            await self.start_database()
            await database_admin.check_revision(self.app_url)
        except BaseException:
            await self.stop()
            raise
        self.prepared = True

    @property
    def app_url(self) -> str:
        if self.settings.app_database_url:
            return self.settings.app_database_url
        assert self.owner_url is not None, "start_database() first"
        return app_url_from_owner(
            self.owner_url, self.settings.app_role, self.settings.app_password
        )

    async def start(self) -> None:
        await self.prepare()
        self.engine = create_app_engine(self.app_url, self.settings.pool_size)
        if self.settings.replica_url is not None and self.replica is None:
            url = replica_url(self.settings.replica_url, self.app_url)
            self.replica = ReplicaRouter(url, self.settings.pool_size)
        if self.embedded is not None and self.watchdog is None:
            self.watchdog = Watchdog(
                self.embedded, self._database_restarted, self.on_database_failed
            )
            self.watchdog.start()

    async def stop(self) -> None:
        try:
            if self.watchdog is not None:
                await self.watchdog.stop()
                self.watchdog = None
            if self.engine is not None:
                await self.engine.dispose()
                self.engine = None
            if self.replica is not None:
                await self.replica.dispose()
                self.replica = None
        finally:
            self.prepared = False
            if self.embedded is not None:
                self.embedded.stop()
                self.embedded = None
                self.owner_url = None  # the next start starts (or adopts) the server again
