"""The Redis counters as a projection of the ledger's `budget.spend.applied` records.

Each record carries the counters' new totals with their ledger versions, and Redis keeps
the highest version it has seen, so applying a record twice, late, or after a rebuild
from the ledger can never move a counter backwards. Settling also releases the call's
reservation (once: the reservation key is deleted). A chunk of records is settled in one
Lua call."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime

import asyncpg

from cognive_budget.domain.spend import SPEND_APPLIED, SpendApplied, counter_ttl
from cognive_budget.preflight.store import CounterValue, PreflightStore
from cognive_runtime.eventlog import RecordedEvent
from cognive_runtime.projections import TableNames


class RedisCountersProjection:
    name = "redis-counters"
    tables: tuple[str, ...] = ()
    types = frozenset({SPEND_APPLIED})

    def __init__(self, store: PreflightStore) -> None:
        self.store = store

    async def apply(
        self, conn: asyncpg.Connection, events: Sequence[RecordedEvent], tables: TableNames
    ) -> None:
        now = datetime.now(UTC)
        reservations: list[str] = []
        counters: list[CounterValue] = []
        for e in events:
            applied = SpendApplied.model_validate(e.data)
            if applied.reservation_id:
                reservations.append(applied.reservation_id)
            counters.extend(
                CounterValue(
                    c.policy_id,
                    c.period_key,
                    c.spent_micros,
                    c.version,
                    counter_ttl(c.period_end, now),
                )
                for c in applied.counters
            )
        # One round trip per chunk: a Lua call per record made Redis writes the largest
        # cost of this service at a few thousand calls a second.
        await self.store.settle(reservations, counters)
