"""PostGraphile 5 and 4 as benchmark peers over the same database (see bench/README.md, "Peers").

The runner's whole interface (keep it stable)::

    from partyplan.bench import peers

    installed = peers.install()                  # once; idempotent, ~/.cache/partyplan-bench
    peers.prepare(owner_dsn)                     # as the owner: bench_peer (Q1's, Q2's functions)
    dsn = peers.app_dsn(owner_dsn)               # connect as the service role: RLS applies
    proc = peers.start("postgraphile5", dsn, port, workers=2,
                       scope={"app.scope": "{1}", "app.user_id": "1"}, peers=installed)
    docs = peers.documents("postgraphile5")      # {"Q1": tallies, "Q1-live", "Q2", "Q3", "Q4"}
    # POST {"query": docs["Q3"], "variables": {"schoolId": 2, "first": 50}} to peers.url(port)
    rows = peers.normalize("postgraphile5", "Q3", response_json)   # rows of Q3_FIELDS
    peers.stop(proc)

``rollup_rows(lines)`` turns our own roll-up lines into Q1 rows for the equality check.
Nothing of PostGraphile is in the repository: ``install`` fetches it from the npm registry into
the cache, pinned by the ``package.json`` files here.
"""

from __future__ import annotations

from .database import app_dsn, aprepare, connection, prepare
from .documents import Q1_FIELDS, Q3_FIELDS, documents, normalize, rollup_rows
from .install import PeerInstall, default_cache, install
from .servers import KINDS, Kind, SettingsMode, start, stop, url

__all__ = [
    "KINDS",
    "Q1_FIELDS",
    "Q3_FIELDS",
    "Kind",
    "PeerInstall",
    "SettingsMode",
    "app_dsn",
    "aprepare",
    "connection",
    "default_cache",
    "documents",
    "install",
    "normalize",
    "prepare",
    "rollup_rows",
    "start",
    "stop",
    "url",
]
