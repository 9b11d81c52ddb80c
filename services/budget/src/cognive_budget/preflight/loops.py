"""The loops that keep Redis honest: rebuild after a loss, expire abandoned reservations."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable
from datetime import UTC, datetime

import asyncpg
import structlog

from cognive_budget.domain.spend import RUN_COUNTER_TTL, counter_ttl
from cognive_budget.metrics import REDIS_REBUILDS, RESERVATIONS_EXPIRED
from cognive_budget.preflight.store import CounterValue, PreflightStore

log = structlog.get_logger(__name__)

Clock = Callable[[], datetime]

# Counters of open calendar periods and of runs that spent recently: what a check can ask.
_OPEN_COUNTERS = """
SELECT policy_id, period_key, period_end, spent_micros, version
FROM spend_counters
WHERE ((period_end IS NOT NULL AND period_end > $1)
       OR (period_end IS NULL AND updated_at > $2))
  AND (policy_id, period_key) > ($3, $4)
ORDER BY policy_id, period_key
LIMIT $5
"""


async def _wait(stop: asyncio.Event, seconds: float) -> None:
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(stop.wait(), seconds)


class RedisRebuilder:
    """Watches the readiness marker; when Redis lost its state (FLUSHALL, restart without
    persistence), reloads every open counter from the Postgres ledger under a fresh epoch.
    Checks fail closed until the epoch that began after the loss declares Redis ready."""

    name = "redis-rebuild"

    def __init__(
        self,
        pool: asyncpg.Pool,
        store: PreflightStore,
        poll_s: float,
        clock: Clock,
        chunk: int = 2_000,
    ) -> None:
        self.pool = pool
        self.store = store
        self.poll_s = poll_s
        self.clock = clock
        self.chunk = chunk

    async def rebuild(self) -> bool:
        epoch = await self.store.begin_rebuild()
        now = self.clock()
        after = ("", "")
        loaded = 0
        while True:
            rows = await self.pool.fetch(
                _OPEN_COUNTERS, now, now - RUN_COUNTER_TTL, after[0], after[1], self.chunk
            )
            if not rows:
                break
            await self.store.load(
                [
                    CounterValue(
                        r["policy_id"],
                        r["period_key"],
                        r["spent_micros"],
                        r["version"],
                        counter_ttl(r["period_end"], now),
                    )
                    for r in rows
                ]
            )
            loaded += len(rows)
            after = (rows[-1]["policy_id"], rows[-1]["period_key"])
        done = await self.store.finish_rebuild(epoch)
        REDIS_REBUILDS.inc()
        log.info("budget.redis_rebuilt", counters=loaded, epoch=epoch, ready=done)
        return done

    async def run(self, stop: asyncio.Event) -> None:
        while not stop.is_set():
            try:
                if not await self.store.is_ready():
                    await self.rebuild()
                    continue
            except Exception as exc:  # Redis or Postgres away: checks stay fail-closed
                log.warning("budget.redis_rebuild_failed", error=str(exc))
            await _wait(stop, self.poll_s)


class ReservationExpiry:
    """Releases reservations no priced call settled within their lifetime."""

    name = "reservation-expiry"

    def __init__(self, store: PreflightStore, interval_s: float, clock: Clock) -> None:
        self.store = store
        self.interval_s = interval_s
        self.clock = clock

    async def run(self, stop: asyncio.Event) -> None:
        while not stop.is_set():
            try:
                while (released := await self.store.expire(self.clock())) > 0:
                    RESERVATIONS_EXPIRED.inc(released)
            except Exception as exc:
                log.warning("budget.expiry_failed", error=str(exc))
            await _wait(stop, self.interval_s)


def utc_now() -> datetime:
    return datetime.now(UTC)


__all__ = ["Clock", "RedisRebuilder", "ReservationExpiry", "utc_now"]
