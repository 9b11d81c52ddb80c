"""The repricer: when a price change reaches calls cost has already seen (an override
back-dated into the past, a correction, a price for a model that had none), those calls
are priced or repriced — by appending events, never by editing history — in chunks of
`repricing_chunk` calls per transaction, resumable after a crash from its cursor.

It works through price changes in log order, one at a time, and starts each only when the
calls read model has caught up with the log, so it sees every call priced before the
change (and calls priced after it already used the new price)."""

from __future__ import annotations

import asyncio
import contextlib
from typing import Any

import asyncpg
import structlog

from cognive_contracts.events.base import TokenUsage
from cognive_contracts.events.cost import LlmCallPricedV1, PricingChangedV1
from cognive_cost.catalog.store import CatalogCache, price_key
from cognive_cost.domain.calls import reprice_call
from cognive_cost.handlers.llm_calls import call_stream
from cognive_cost.metrics import CALLS_REPRICED
from cognive_cost.projections.calls import CallsProjection
from cognive_runtime.eventlog import (
    NewEvent,
    StreamAppend,
    append,
    load_checkpoint,
    read_all,
    read_window,
    store_checkpoint,
)
from cognive_runtime.eventlog.model import Position
from cognive_runtime.projections.base import checkpoint_name, pooled_connection

log = structlog.get_logger(__name__)
CHECKPOINT = "repricer"

_CHUNK = """
SELECT * FROM calls
WHERE price_key = $1 AND occurred_at >= $2 AND ($3::timestamptz IS NULL OR occurred_at < $3)
  AND ($4::timestamptz IS NULL OR (occurred_at, call_id) > ($4, $5))
ORDER BY occurred_at, call_id
LIMIT $6
"""


class Repricer:
    name = "repricer"

    def __init__(self, pool: asyncpg.Pool, chunk: int, idle_poll_s: float) -> None:
        self.pool = pool
        self.chunk = chunk
        self.idle_poll_s = idle_poll_s
        self.catalog = CatalogCache()

    async def step(self) -> bool:
        """Work through the next price changes (a chunk of calls at most); False when idle.
        Changes that touch no call (most of a seeded release) are passed over in bulk."""
        async with pooled_connection(self.pool) as conn:
            position = await load_checkpoint(conn, CHECKPOINT)
            changes, through = await read_window(
                conn, position, limit=500, types=[PricingChangedV1.event_type]
            )
        if not changes:
            # Only calls since the last change: move past them rather than rescan them.
            if through > position:
                await self._finish(through)
            return False
        passed: Position | None = None
        busy = False
        for change in changes:
            if not await self._calls_caught_up(change.position):
                break
            price = PricingChangedV1.model_validate(change.data)
            # A seeded entry of a new release starts where prices were already known, or
            # covers a model nobody called yet; only overrides and updates reprice.
            seeded = price.source == "genai-prices" and price.change == "created"
            if seeded and not await self._has_unpriced(price):
                passed = change.position
                continue
            busy = True
            if not await self._chunk(change.global_position, price):
                break
            passed = change.position
        if passed is not None:
            await self._finish(passed)
            busy = True
        return busy

    async def _calls_caught_up(self, change: Position) -> bool:
        """Every call event committed before the change is in the calls read model, and
        the change itself is in the catalog. (A projection's checkpoint stops at the last
        event of its own types, so "caught up" means nothing of those types is pending
        before the change.)"""
        catalog = await load_checkpoint(self.pool, checkpoint_name("catalog"))
        if catalog < change:
            return False
        calls = await load_checkpoint(self.pool, checkpoint_name("calls"))
        if calls >= change:
            return True
        pending = await read_all(self.pool, calls, limit=1, types=sorted(CallsProjection.types))
        return not pending or pending[0].position > change

    async def _has_unpriced(self, price: PricingChangedV1) -> bool:
        key = price_key(price.provider, price.model)
        return bool(
            await self.pool.fetchval(
                "SELECT 1 FROM calls WHERE price_key = $1 AND status = 'unpriced' LIMIT 1", key
            )
        )

    async def _chunk(self, price_position: int, price: PricingChangedV1) -> bool:
        key = price_key(price.provider, price.model)
        async with pooled_connection(self.pool) as conn, conn.transaction():
            cursor: Any = await conn.fetchrow(
                "INSERT INTO repricing (price_position, price_id) VALUES ($1, $2)"
                " ON CONFLICT (price_position) DO UPDATE SET price_id = excluded.price_id"
                " RETURNING after_at, after_call, repriced",
                price_position,
                price.price_id,
            )
            rows = await conn.fetch(
                _CHUNK,
                key,
                price.effective_from,
                price.effective_to if price.change != "ended" else None,
                cursor["after_at"],
                cursor["after_call"] or "",
                self.chunk,
            )
            entries = (await self.catalog.current(conn)).get(key, [])
            appends: list[StreamAppend] = []
            for row in rows:
                outcome = reprice_call(
                    _call(row),
                    row["status"],
                    row["total_micros"],
                    row["price_id"],
                    entries,
                    row["occurred_at"],
                    row["team_id"],
                )
                if outcome is None:
                    continue
                reason = "price_arrived" if isinstance(outcome, LlmCallPricedV1) else "corrected"
                CALLS_REPRICED.labels(reason).inc()
                appends.append(
                    StreamAppend(
                        call_stream(row["call_id"]),
                        [
                            NewEvent(
                                outcome.event_type,
                                outcome,
                                metadata={
                                    "actor": "system:repricer",
                                    "causation_price_id": price.price_id,
                                    "price_key": key,
                                },
                            )
                        ],
                    )
                )
            await append(conn, appends)
            if rows:
                await conn.execute(
                    "UPDATE repricing SET after_at = $2, after_call = $3,"
                    " repriced = repriced + $4 WHERE price_position = $1",
                    price_position,
                    rows[-1]["occurred_at"],
                    rows[-1]["call_id"],
                    len(appends),
                )
            finished = len(rows) < self.chunk
            if finished:
                await conn.execute(
                    "UPDATE repricing SET done = true WHERE price_position = $1", price_position
                )
        if appends:
            log.info("cost.repriced", price_id=price.price_id, calls=len(appends))
        return finished

    async def _finish(self, position: Position) -> None:
        async with pooled_connection(self.pool) as conn, conn.transaction():
            await store_checkpoint(conn, CHECKPOINT, position)

    async def run(self, stop: asyncio.Event) -> None:
        while not stop.is_set():
            try:
                busy = await self.step()
            except Exception as exc:
                log.warning("cost.repricer_failed", error=str(exc))
                busy = False
            if not busy:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(stop.wait(), self.idle_poll_s)


def _call(row: Any) -> dict[str, Any]:
    return {
        "call_id": row["call_id"],
        "run_id": row["run_id"],
        "agent_id": row["agent_id"],
        "api_key_id": row["api_key_id"],
        "provider": row["provider"],
        "model": row["model"],
        "occurred_at": row["occurred_at"],
        "usage": TokenUsage.model_validate(row["usage"]),
        "reservation_id": row["reservation_id"],
    }
