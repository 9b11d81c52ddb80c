"""Per-key rate limiting in Redis, atomic across every replica (GCRA in one Lua script).

GCRA keeps one number per key, the theoretical arrival time (TAT) of the next request:
each allowed request pushes it ``1/per_second`` further; a request is refused while the
TAT is more than ``burst`` intervals ahead of now. Redis's own clock is used, so replicas
with skewed clocks agree.

If Redis cannot be reached the limiter lets requests through (logged): a missing cache
must not take authentication down with it; budgets, not this limiter, bound spend.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import redis.asyncio as aioredis
import structlog
from redis.exceptions import RedisError

from cognive_runtime.problems import ProblemError, problem_type

log = structlog.get_logger(__name__)

# Times in microseconds; string.format keeps full precision (Lua's tostring would not).
_GCRA = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
local interval = tonumber(ARGV[1])
local tolerance = tonumber(ARGV[2])
local tat = tonumber(redis.call('GET', KEYS[1])) or now
if tat < now then tat = now end
local new_tat = tat + interval
local wait = new_tat - tolerance - now
if wait > 0 then return {0, math.ceil(wait)} end
local ttl_ms = math.ceil((new_tat - now) / 1000) + 1
redis.call('SET', KEYS[1], string.format('%.0f', new_tat), 'PX', ttl_ms)
return {1, 0}
"""


@dataclass(frozen=True, slots=True)
class RateDecision:
    allowed: bool
    retry_after_s: float = 0.0


class RateLimiter:
    """``per_second`` sustained, up to ``burst`` at once (default: one second's worth).
    Set as ``app.state.rate_limiter``; ``None`` there disables limiting."""

    def __init__(
        self, redis: aioredis.Redis, prefix: str, per_second: float, *, burst: int | None = None
    ) -> None:
        if per_second <= 0:
            raise ValueError("per_second must be positive")
        self._prefix = prefix
        self._interval_us = int(1_000_000 / per_second)
        self._tolerance_us = self._interval_us * (burst or max(1, math.ceil(per_second)))
        self._script = redis.register_script(_GCRA)

    async def hit(self, key: str) -> RateDecision:
        try:
            allowed, wait_us = await self._script(
                keys=[f"{self._prefix}rate:{key}"], args=[self._interval_us, self._tolerance_us]
            )
        except RedisError as exc:
            log.warning("rate_limit.unavailable", error=str(exc))
            return RateDecision(allowed=True)
        return RateDecision(allowed=bool(allowed), retry_after_s=int(wait_us) / 1_000_000)

    async def check(self, key: str) -> None:
        """Raises a 429 problem with ``Retry-After`` (whole seconds, at least 1)."""
        decision = await self.hit(key)
        if not decision.allowed:
            retry_after = max(1, math.ceil(decision.retry_after_s))
            raise ProblemError(
                status=429,
                title="Too Many Requests",
                detail="rate limit of this API key exceeded",
                type=problem_type("rate-limited"),
                headers={"Retry-After": str(retry_after)},
            )
