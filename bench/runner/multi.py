"""N uvicorn workers on one port, each with its own ``SO_REUSEPORT`` socket.

    python -m partyplan.bench.runner.multi APP --port 18080 --workers 2

Why not ``uvicorn --workers N``: its workers share one listening socket, and a worker woken
by new connections accepts every pending one (asyncio accepts up to its backlog per wake-up).
wrk opens its 16 keep-alive connections at once, so one worker got all 16 and the other none
(seen here: 16/0): "2 workers" served like one. With a socket per worker the kernel spreads
connections over the workers by their address hash, as a load balancer in front of separate
pods would. ``--shared`` keeps uvicorn's own ``--workers`` mode for comparison.

Each worker's socket is made as uvicorn's own bind makes it: a TCP socket by protocol number,
with ``TCP_NODELAY``. asyncio turns Nagle's algorithm off only for sockets whose ``proto`` is
``IPPROTO_TCP``, and a socket made as ``socket(AF_INET, SOCK_STREAM)`` (proto 0) and its
accepted connections are not. uvicorn writes a response's head and body in two sends; with
Nagle on, the body waited for the client's delayed ACK of the head, ~40 ms a request on every
keep-alive connection (a constant response: 364 req/s at a p50 of 44 ms through this launcher,
8,045 req/s through plain uvicorn; the 2026-11-22 runs of ours and the floor paid it).

The supervisor forwards SIGTERM/SIGINT to its workers and waits for them.
"""

from __future__ import annotations

import argparse
import signal
import socket
import subprocess
import sys


def listening_socket(host: str, port: int) -> socket.socket:
    """A worker's own listening socket; its accepted connections have Nagle off."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    sock.bind((host, port))
    sock.listen(2048)
    return sock


def _serve(app: str, host: str, port: int) -> None:
    import uvicorn

    sock = listening_socket(host, port)
    config = uvicorn.Config(
        app,
        factory=True,
        host=host,
        port=port,
        log_level="warning",
        access_log=False,
        lifespan="on",
    )
    uvicorn.Server(config).run(sockets=[sock])


def _supervise(app: str, host: str, port: int, workers: int) -> int:
    cmd = [
        sys.executable,
        "-m",
        "partyplan.bench.runner.multi",
        app,
        "--host",
        host,
        "--port",
        str(port),
        "--worker",
    ]
    children = [subprocess.Popen(cmd) for _ in range(workers)]

    def forward(signum: int, frame: object) -> None:
        for child in children:
            if child.poll() is None:
                child.send_signal(signum)

    signal.signal(signal.SIGTERM, forward)
    signal.signal(signal.SIGINT, forward)
    codes = [child.wait() for child in children]
    return max(codes, default=0)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("app", help="module:factory")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.worker:
        _serve(args.app, args.host, args.port)
        return 0
    return _supervise(args.app, args.host, args.port, args.workers)


if __name__ == "__main__":
    sys.exit(main())
