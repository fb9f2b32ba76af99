"""What uvicorn's event loop and HTTP parser cost a request: asyncio + h11 against uvloop +
httptools (``PARTYPLAN_SERVE_LOOP`` / ``PARTYPLAN_SERVE_HTTP``, server/serving.py), serving
one constant JSON response, so that nothing but the server's own work is timed.

    python bench/serve_loop.py [--seconds 8] [--rounds 3] [--connections 16] [--bytes 16384]

Each pair serves from one worker process (its own socket, TCP_NODELAY, as bench/runner/multi.py
makes it); wrk GETs at ``--connections`` keep-alive connections for ``--seconds`` per round, the
pairs interleaved round by round. Figures: requests/s and the server process's CPU per request
(utime + stime over the round, by psutil), median of the rounds. wrk shares the machine's cores
with the server: compare the pairs with each other, in one run, not with other runs.
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import statistics
import subprocess
import sys
import time

import psutil

PAIRS = (("asyncio", "h11"), ("uvloop", "httptools"))


def make_app(size: int):  # type: ignore[no-untyped-def]
    body = json.dumps({"data": {"x": "x" * max(size - 20, 0)}}).encode()
    headers = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]

    async def app(scope, receive, send):  # type: ignore[no-untyped-def]
        if scope["type"] != "http":
            return
        await send({"type": "http.response.start", "status": 200, "headers": headers})
        await send({"type": "http.response.body", "body": body})

    return app


def _serve(port: int, loop: str, http: str, size: int) -> None:
    import uvicorn

    from partyplan.bench.runner.multi import listening_socket
    from partyplan.server import serving
    from partyplan.server.settings import Settings

    settings = Settings(serve_loop=loop, serve_http=http)  # type: ignore[arg-type]
    config = serving.uvicorn_config(make_app(size), settings, "127.0.0.1", port)
    config.lifespan = "off"
    uvicorn.Server(config).run(sockets=[listening_socket("127.0.0.1", port)])


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _wait(port: int) -> None:
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            return
        except OSError:
            time.sleep(0.1)
    raise SystemExit(f"the server on port {port} did not start")


def _round(proc: psutil.Process, port: int, seconds: int, connections: int) -> tuple[float, float]:
    before = proc.cpu_times()
    out = subprocess.run(
        ["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", f"http://127.0.0.1:{port}/"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    after = proc.cpu_times()
    rate = float(next(ln for ln in out.splitlines() if ln.startswith("Requests/sec")).split()[1])
    cpu = (after.user - before.user) + (after.system - before.system)
    return rate, cpu / (rate * seconds) * 1e6


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=8)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--bytes", type=int, default=16384)
    parser.add_argument(
        "--serve", nargs=3, metavar=("PORT", "LOOP", "HTTP"), help=argparse.SUPPRESS
    )
    args = parser.parse_args(argv)
    if args.serve:
        port, loop, http = args.serve
        _serve(int(port), loop, http, args.bytes)
        return

    servers = {}
    for loop, http in PAIRS:
        port = _free_port()
        cmd = [
            sys.executable,
            __file__,
            "--bytes",
            str(args.bytes),
            "--serve",
            str(port),
            loop,
            http,
        ]
        servers[(loop, http)] = (subprocess.Popen(cmd, env=os.environ.copy()), port)
    results: dict[tuple[str, str], list[tuple[float, float]]] = {pair: [] for pair in PAIRS}
    try:
        for _, port in servers.values():
            _wait(port)
        for popen, port in servers.values():  # warm-up
            _round(psutil.Process(popen.pid), port, 2, args.connections)
        for _ in range(args.rounds):
            for pair, (popen, port) in servers.items():
                results[pair].append(
                    _round(psutil.Process(popen.pid), port, args.seconds, args.connections)
                )
    finally:
        for popen, _ in servers.values():
            popen.terminate()
            popen.wait()
    print(
        f"{args.bytes} B responses, {args.connections} connections, 1 worker, "
        f"median of {args.rounds} × {args.seconds} s"
    )
    print(f"{'loop + parser':<22} {'req/s':>9} {'server CPU µs/req':>18}")
    for (loop, http), rows in results.items():
        rate = statistics.median(r for r, _ in rows)
        cpu = statistics.median(c for _, c in rows)
        print(f"{loop + ' + ' + http:<22} {rate:>9,.0f} {cpu:>18.1f}")


if __name__ == "__main__":
    main()
