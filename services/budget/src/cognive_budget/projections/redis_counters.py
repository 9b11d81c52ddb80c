"""The Redis counters as a projection of the ledger's `budget.spend.applied` records.

Each record carries the counters' new totals with their ledger versions, and Redis keeps
the highest version it has seen, so applying a record twice, late, or after a rebuild
from the ledger can never move a counter backwards. Settling also releases the call's
reservation (once: the reservation key is deleted). A chunk of records is settled in one
Lua call."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

import asyncpg

from cognive_budget.domain.spend import SPEND_APPLIED, counter_ttl
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
        # Per counter, its newest change in the chunk: the only one Redis would keep. Read
        # from the records' JSON as this service wrote them (validated then, by
        # `SpendApplied`): a model per record, and a value per counter of every record, were
        # most of this projection's cost at a few thousand calls a second.
        newest: dict[tuple[str, str], dict[str, Any]] = {}
        for e in events:
            applied = e.data
            if applied.get("reservation_id"):
                reservations.append(applied["reservation_id"])
            for change in applied["counters"]:
                key = (change["policy_id"], change["period_key"])
                held = newest.get(key)
                if held is None or change["version"] > held["version"]:
                    newest[key] = change
        counters = [
            CounterValue(
                policy_id,
                period_key,
                change["spent_micros"],
                change["version"],
                counter_ttl(_moment(change["period_end"]), now),
            )
            for (policy_id, period_key), change in newest.items()
        ]
        # One round trip per chunk: a Lua call per record made Redis writes the largest
        # cost of this service at a few thousand calls a second.
        await self.store.settle(reservations, counters)


def _moment(text: str | None) -> datetime | None:
    return None if text is None else datetime.fromisoformat(text)
