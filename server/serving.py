"""What ``serve`` settles before it starts anything: the socket it will listen on, bound first so
that a taken port is refused in one line rather than after "Ready", and, as root, the
directories that the embedded server's system user will be allowed to traverse, said aloud."""

from __future__ import annotations

import errno
import socket

from .embedded import SERVER_USER, EmbeddedPostgres
from .errors import StartupRefused


def listen(host: str, port: int) -> socket.socket:
    """The socket uvicorn serves on, bound now the way uvicorn would bind it (a port in use,
    an address not of this machine or a privileged port are a :class:`StartupRefused`)."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
    except OSError as error:
        sock.close()
        if error.errno == errno.EADDRINUSE:
            reason = "the port is already in use"
        else:
            reason = error.strerror or str(error)
        raise StartupRefused(
            f"cannot listen on {host}:{port}: {reason}; stop what listens there, or choose "
            "another --port (or --host)"
        ) from None
    return sock


def announce_traverse(embedded: EmbeddedPostgres) -> None:
    """As root, name every directory that is about to get o+x (README, "Serving")."""
    grants = embedded.traverse_grants()
    if grants:
        print(
            f"partyplan: as root, PostgreSQL runs as the system user {SERVER_USER}, which must "
            "traverse the directories above its data and binaries; adding o+x (traverse only, "
            f"no listing or writing) to: {', '.join(map(str, grants))}",
            flush=True,
        )
