"""Rate limits of the GraphQL endpoint: token buckets, in this process or in Redis.

**Buckets.** A request takes one token from each bucket that applies to it, all or none:

- a client's token: its client's bucket (``requests_per_minute`` of ``oauth_clients``, shared by
  every user of the client) and its user's bucket (``rate_user_per_minute``);
- a token without a client (an operator's): its user's bucket;
- no valid token: its source address's bucket (``rate_anonymous_per_minute``; the address is
  the connection's peer, which uvicorn sets from ``X-Forwarded-For`` for trusted proxies only).

A bucket holds a minute's worth of requests and refills continuously (``limit / 60`` a second):
bursts up to the limit, the limit a minute sustained. A setting of 0 turns its bucket off.

**Answers.** Over the limit: HTTP 429 with ``Retry-After`` (seconds until one request is
allowed) and a GraphQL-shaped body coded ``RATE_LIMITED``, before the body is read or anything
touches the database. Every response of the endpoint carries the bucket nearest its limit as
``RateLimit-Limit`` (requests a minute), ``RateLimit-Remaining`` (requests that may be sent now)
and ``RateLimit-Reset`` (seconds until the bucket is full again), in the style of
draft-ietf-httpapi-ratelimit-headers, with ``RateLimit-Policy: <limit>;w=60``.

**Backends.** In process by default (each replica counts alone). With ``redis_url`` the buckets
live in Redis, shared by every replica: one Lua script (atomic, Redis' own clock, so replicas'
clocks do not matter) reads, refills, takes from and writes back every bucket of the request in
one round trip; each key expires once its bucket would be full again. When Redis does not
answer, the request is counted in process instead (logged once per outage) and Redis is asked
again after ``_PAUSE`` seconds: a Redis outage loosens the limits, it never fails requests.
"""

from __future__ import annotations

import logging
import math
import time
from collections import OrderedDict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Protocol

from redis.asyncio import Redis
from redis.asyncio.retry import Retry
from redis.backoff import NoBackoff
from redis.exceptions import RedisError
from starlette.responses import JSONResponse, Response

from partyplan.schema.policies.admission import Caller

log = logging.getLogger("partyplan.limits")

RATE_LIMITED = "RATE_LIMITED"
WINDOW = 60.0
#: Seconds a failed Redis is left alone before it is asked again.
_PAUSE = 5.0

# KEYS: the request's buckets; ARGV: each one's requests a minute. Takes one token from every
# bucket if each holds one, else none. Returns {1 taken | 0 refused, each bucket's tokens left}.
_TAKE = """
local clock = redis.call('TIME')
local now = tonumber(clock[1]) + tonumber(clock[2]) / 1000000
local levels = {}
local taken = 1
for i, key in ipairs(KEYS) do
  local limit = tonumber(ARGV[i])
  local state = redis.call('HMGET', key, 'tokens', 'at')
  local tokens = tonumber(state[1])
  local at = tonumber(state[2])
  if tokens == nil or at == nil then
    tokens = limit
  else
    tokens = math.min(limit, tokens + math.max(0, now - at) * limit / 60)
  end
  levels[i] = tokens
  if tokens < 1 then taken = 0 end
end
local reply = {taken}
for i, key in ipairs(KEYS) do
  local limit = tonumber(ARGV[i])
  local tokens = levels[i] - taken
  redis.call('HSET', key, 'tokens', tostring(tokens), 'at', tostring(now))
  redis.call('PEXPIRE', key, math.ceil((limit - tokens) * 60000 / limit) + 1000)
  reply[i + 1] = tostring(tokens)
end
return reply
"""


class LimitSettings(Protocol):
    @property
    def rate_user_per_minute(self) -> int: ...

    @property
    def rate_anonymous_per_minute(self) -> int: ...

    @property
    def redis_url(self) -> str | None: ...

    @property
    def redis_prefix(self) -> str: ...

    @property
    def redis_timeout_seconds(self) -> float: ...


@dataclass(frozen=True, slots=True)
class Bucket:
    key: str
    limit: int  # requests a minute: the capacity, refilled at limit / 60 a second


@dataclass(frozen=True, slots=True)
class Decision:
    allowed: bool
    limit: int
    remaining: int
    reset: int  # seconds until the bucket is full again
    retry_after: int  # seconds until a request is allowed again (0 when this one was)


def buckets_for(caller: Caller, address: str | None, settings: LimitSettings) -> list[Bucket]:
    """The buckets a request of ``caller`` from ``address`` takes from (module docstring)."""
    if caller.subject is None:
        limit = settings.rate_anonymous_per_minute
        return [Bucket(f"address:{address or 'unknown'}", limit)] if limit > 0 else []
    buckets = []
    if caller.client_id is not None and caller.policy is not None:
        buckets.append(Bucket(f"client:{caller.client_id}", caller.policy.requests_per_minute))
    if settings.rate_user_per_minute > 0:
        buckets.append(Bucket(f"user:{caller.subject}", settings.rate_user_per_minute))
    return buckets


def decide(buckets: Sequence[Bucket], levels: Sequence[float], allowed: bool) -> Decision:
    """The answer for a request that took (``allowed``) or did not take a token from each of
    ``buckets``, which now hold ``levels`` tokens: when refused, the bucket that refused longest;
    else the one nearest its limit."""
    chosen: Decision | None = None
    for bucket, level in zip(buckets, levels, strict=True):
        rate = bucket.limit / WINDOW
        short = 0 if level >= 1 else max(1, math.ceil((1 - level) / rate))
        decision = Decision(
            allowed=allowed,
            limit=bucket.limit,
            remaining=max(0, math.floor(level)),
            reset=max(0, math.ceil((bucket.limit - level) / rate)),
            retry_after=short,
        )
        if chosen is None or (
            (decision.retry_after, -decision.remaining, -decision.limit)
            > (chosen.retry_after, -chosen.remaining, -chosen.limit)
        ):
            chosen = decision
    assert chosen is not None
    return chosen


class MemoryBuckets:
    """Buckets in this process (an LRU of ``maxsize`` keys: a bucket forgotten is a full one)."""

    def __init__(self, clock: Callable[[], float] = time.monotonic, maxsize: int = 100_000) -> None:
        self._clock, self._maxsize = clock, maxsize
        self._state: OrderedDict[str, tuple[float, float]] = OrderedDict()

    def take(self, buckets: Sequence[Bucket]) -> Decision:
        now = self._clock()
        levels = []
        for bucket in buckets:
            tokens, at = self._state.get(bucket.key, (float(bucket.limit), now))
            refill = max(0.0, now - at) * bucket.limit / WINDOW
            levels.append(min(float(bucket.limit), tokens + refill))
        allowed = all(level >= 1 for level in levels)
        if allowed:
            levels = [level - 1 for level in levels]
        for bucket, level in zip(buckets, levels, strict=True):
            self._state[bucket.key] = (level, now)
            self._state.move_to_end(bucket.key)
        while len(self._state) > self._maxsize:
            self._state.popitem(last=False)
        return decide(buckets, levels, allowed)


class RedisBuckets:
    """Buckets in Redis, shared by every replica; in ``fallback`` while Redis does not answer."""

    def __init__(
        self,
        client: Redis,
        prefix: str,
        fallback: MemoryBuckets,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.client, self.prefix, self.fallback, self._clock = client, prefix, fallback, clock
        self._script = client.register_script(_TAKE)
        self._down_until: float | None = None

    @classmethod
    def from_url(
        cls, url: str, prefix: str, fallback: MemoryBuckets, timeout: float
    ) -> RedisBuckets:
        client = Redis.from_url(
            url,
            socket_timeout=timeout,
            socket_connect_timeout=timeout,
            retry=Retry(NoBackoff(), 0),  # no retries: the fallback is the retry
        )
        return cls(client, prefix, fallback)

    @property
    def down(self) -> bool:
        return self._down_until is not None

    async def take(self, buckets: Sequence[Bucket]) -> Decision:
        if self._down_until is not None and self._clock() < self._down_until:
            return self.fallback.take(buckets)
        try:
            reply = await self._script(
                keys=[self.prefix + bucket.key for bucket in buckets],
                args=[bucket.limit for bucket in buckets],
            )
        except (RedisError, OSError) as error:
            if self._down_until is None:
                log.warning(
                    "Redis does not answer (%s: %s); rate limits are counted in this process "
                    "until it does",
                    type(error).__name__,
                    error,
                )
            self._down_until = self._clock() + _PAUSE
            return self.fallback.take(buckets)
        if self._down_until is not None:
            log.warning("Redis answers again; rate limits are shared again")
            self._down_until = None
        levels = [float(level) for level in reply[1:]]
        return decide(buckets, levels, int(reply[0]) == 1)

    async def close(self) -> None:
        await self.client.aclose()


class RateLimiter:
    """The endpoint's limiter: Redis when ``redis_url`` is set, else this process."""

    def __init__(self, settings: LimitSettings) -> None:
        self.settings = settings
        self.memory = MemoryBuckets()
        self.redis = (
            RedisBuckets.from_url(
                settings.redis_url,
                settings.redis_prefix,
                self.memory,
                settings.redis_timeout_seconds,
            )
            if settings.redis_url
            else None
        )

    async def take(self, buckets: Sequence[Bucket]) -> Decision | None:
        """The decision for one request; None when no bucket applies (limits off)."""
        if not buckets:
            return None
        if self.redis is not None:
            return await self.redis.take(buckets)
        return self.memory.take(buckets)

    async def close(self) -> None:
        if self.redis is not None:
            await self.redis.close()


def too_many(decision: Decision) -> Response:
    return JSONResponse(
        {
            "errors": [
                {
                    "message": f"Too many requests: at most {decision.limit} a minute. Retry "
                    f"after {decision.retry_after} s.",
                    "extensions": {"code": RATE_LIMITED, "retryAfter": decision.retry_after},
                }
            ]
        },
        status_code=429,
    )


def stamp(response: Response, decision: Decision | None) -> None:
    """The rate-limit headers of ``decision`` on ``response`` (none when limits are off)."""
    if decision is None:
        return
    headers = response.headers
    headers["RateLimit-Limit"] = str(decision.limit)
    headers["RateLimit-Remaining"] = str(decision.remaining)
    headers["RateLimit-Reset"] = str(decision.reset)
    headers["RateLimit-Policy"] = f"{decision.limit};w={int(WINDOW)}"
    if not decision.allowed:
        headers["Retry-After"] = str(decision.retry_after)
