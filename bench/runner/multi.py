"""N uvicorn workers on one port, each with its own ``SO_REUSEPORT`` socket.

    python -m partyplan.bench.runner.multi APP --port 18080 --workers 2

Why not ``uvicorn --workers N``: its workers share one listening socket, and a worker woken
by new connections accepts every pending one (asyncio accepts up to its backlog per wake-up).
wrk opens its 16 keep-alive connections at once, so one worker got all 16 and the other none
(seen here: 16/0): "2 workers" served like one. With a socket per worker the kernel spreads
connections over the workers by their address hash, as a load balancer in front of separate
pods would. ``--shared`` keeps uvicorn's own ``--workers`` mode for comparison.

The supervisor forwards SIGTERM/SIGINT to its workers and waits for them.
"""

from __future__ import annotations

import argparse
import signal
import socket
import subprocess
import sys


def _serve(app: str, host: str, port: int) -> None:
    import uvicorn

    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    sock.bind((host, port))
    sock.listen(2048)
    config = uvicorn.Config(app, factory=True, host=host, port=port, log_level="warning",
                            access_log=False, lifespan="on")  # fmt: skip
    uvicorn.Server(config).run(sockets=[sock])


def _supervise(app: str, host: str, port: int, workers: int) -> int:
    cmd = [sys.executable, "-m", "partyplan.bench.runner.multi", app, "--host", host,
           "--port", str(port), "--worker"]  # fmt: skip
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
