"""What ``serve`` settles before it starts anything: the socket it will listen on, bound first so
that a taken port is refused in one line rather than after "Ready"; as root, the directories
that the embedded server's system user will be allowed to traverse, said aloud; and the event
loop and HTTP parser uvicorn runs with."""

from __future__ import annotations

import errno
import importlib.util
import socket
from typing import TYPE_CHECKING, Any, Literal, Protocol

from .embedded import SERVER_USER, EmbeddedPostgres
from .errors import StartupRefused

if TYPE_CHECKING:
    import uvicorn

Loop = Literal["uvloop", "asyncio"]
Http = Literal["httptools", "h11"]


class ServeSettings(Protocol):
    serve_loop: Literal["auto", "uvloop", "asyncio"]
    serve_http: Literal["auto", "httptools", "h11"]


def _installed(module: str) -> bool:
    return importlib.util.find_spec(module) is not None


def loop_and_http(settings: ServeSettings) -> tuple[Loop, Http]:
    """uvicorn's event loop and HTTP parser: uvloop and httptools (dependencies of the package:
    a loop and a parser in C, where h11 parses each request in Python) unless the settings name
    another; ``auto`` falls back to asyncio and h11 where they are missing (a platform without
    their wheels). One named but not installed
    is a :class:`StartupRefused`, rather than uvicorn's traceback at its first request."""
    loop: Loop
    http: Http
    if settings.serve_loop == "auto":
        loop = "uvloop" if _installed("uvloop") else "asyncio"
    else:
        loop = settings.serve_loop
    if settings.serve_http == "auto":
        http = "httptools" if _installed("httptools") else "h11"
    else:
        http = settings.serve_http
    for chosen, setting in ((loop, "SERVE_LOOP"), (http, "SERVE_HTTP")):
        if chosen in ("uvloop", "httptools") and not _installed(chosen):
            raise StartupRefused(
                f"PARTYPLAN_{setting}={chosen}, but {chosen} is not installed: install it "
                "(pip install partyplan brings it) or set auto"
            )
    return loop, http


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


def uvicorn_config(app: Any, settings: ServeSettings, host: str, port: int) -> uvicorn.Config:
    """How ``serve`` runs uvicorn: the loop and parser of :func:`loop_and_http`, the lifespan
    on (it stops the embedded server), and uvicorn's own logging and access lines off (our
    handler formats every line, the access middleware writes the access lines)."""
    import uvicorn

    loop, http = loop_and_http(settings)
    return uvicorn.Config(
        app,
        host=host,
        port=port,
        loop=loop,
        http=http,
        log_level="warning",
        lifespan="on",
        log_config=None,
        access_log=False,
    )
