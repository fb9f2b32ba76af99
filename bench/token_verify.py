"""Bearer-token verifications per second, without and with the verified-token cache
(auth/token_cache.py), in one process on one core.

    python bench/token_verify.py [--iterations 20000] [--rounds 3] [--working-set 1000]

Cases, each the best of ``--rounds`` rounds of ``--iterations`` calls of
``TokenService.verify`` timed in process CPU (``time.process_time``):

* uncached — joserfc's EdDSA check and our claims checks, every call;
* cached, one token — the same token every call (one client's session; the load runs' case);
* cached, a working set — ``--working-set`` tokens in turn, all held by the cache;
* cached, every call a miss — a token never seen, each call (a cache that never helps: what a
  miss adds, hashing and remembering, to the full check).

No database: revocation is asked at bind, per request, in every case alike (tenants/binding.py).
"""

from __future__ import annotations

import argparse
import itertools
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from partyplan.auth.keys import KeyStore
from partyplan.auth.tokens import TokenService

TTL = 3600


def cpu_us(fn: Callable[[], Any], iterations: int, rounds: int) -> float:
    best = float("inf")
    for _ in range(rounds):
        start = time.process_time()
        for _ in range(iterations):
            fn()
        best = min(best, time.process_time() - start)
    return best / iterations * 1e6


def service(keys: KeyStore, cache_size: int) -> TokenService:
    return TokenService(keys, "partyplan", "partyplan-api", 30, TTL, cache_size=cache_size)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--iterations", type=int, default=20_000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--working-set", type=int, default=1000)
    args = parser.parse_args(argv)

    with tempfile.TemporaryDirectory() as tmp:
        keys = KeyStore.load_or_create(Path(tmp) / "keys")
    uncached, cached = service(keys, 0), service(keys, 10_000)
    minting = service(keys, 0)
    one = minting.mint("42", TTL, client_id="console", scope="read", grant_id=7)
    working = [minting.mint(str(n), TTL) for n in range(args.working_set)]
    for token in working:
        cached.verify(token)
    turn = itertools.cycle(working)
    fresh = iter([minting.mint(str(n), TTL) for n in range(args.iterations * args.rounds + 1)])
    cached.verify(one)

    def new_token() -> None:
        service_for_misses.verify(next(fresh))

    service_for_misses = service(keys, 10_000)
    cases = {
        "uncached": lambda: uncached.verify(one),
        "cached, one token": lambda: cached.verify(one),
        f"cached, a working set of {args.working_set}": lambda: cached.verify(next(turn)),
        "cached, every call a miss": new_token,
    }
    assert uncached.verify(one) == cached.verify(one)  # the same claims either way
    print(f"{'case':<36} {'µs/verify':>10} {'verifies/s':>12}")
    for name, fn in cases.items():
        us = cpu_us(fn, args.iterations, args.rounds)
        print(f"{name:<36} {us:>10.2f} {1e6 / us:>12,.0f}")
    assert cached.cache is not None
    print(
        f"cache: {len(cached.cache)} entries, {cached.cache.hits:,} hits, "
        f"{cached.cache.misses:,} misses"
    )


if __name__ == "__main__":
    main()
