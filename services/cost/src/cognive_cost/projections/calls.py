"""Every call cost has seen, with its current price (projection "calls"): the repricer's
working set, the unpriced list and `GET /v1/costs/calls/{id}`."""

from __future__ import annotations

from collections.abc import Sequence

import asyncpg
import orjson

from cognive_contracts.events.cost import LlmCallPricedV1, LlmCallRepricedV1, LlmCallUnpricedV1
from cognive_cost.catalog.store import price_key
from cognive_runtime.eventlog import RecordedEvent
from cognive_runtime.projections import TableNames

_UPSERT = """
INSERT INTO {t} (call_id, run_id, agent_id, team_id, api_key_id, provider, model, price_key,
    occurred_at, usage, status, total_micros, breakdown, price_id, reservation_id,
    unpriced_reason, position)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10::text::jsonb, $11, $12, $13::text::jsonb,
    $14, $15, $16, $17)
ON CONFLICT (call_id) DO UPDATE SET status = excluded.status,
    total_micros = excluded.total_micros, breakdown = excluded.breakdown,
    price_id = excluded.price_id, unpriced_reason = excluded.unpriced_reason,
    team_id = coalesce(excluded.team_id, {t}.team_id), position = excluded.position
"""


class CallsProjection:
    name = "calls"
    tables = ("calls",)
    types = frozenset(
        {
            LlmCallPricedV1.event_type,
            LlmCallUnpricedV1.event_type,
            LlmCallRepricedV1.event_type,
        }
    )

    async def apply(
        self, conn: asyncpg.Connection, events: Sequence[RecordedEvent], tables: TableNames
    ) -> None:
        t = tables["calls"]
        # Runs of priced/unpriced calls go in one pipelined executemany (one round trip, not
        # one per call); a repricing flushes the run first, so the order is the log's.
        upserts: list[tuple[object, ...]] = []

        async def flush() -> None:
            if upserts:
                await conn.executemany(_UPSERT.format(t=t), upserts)
                upserts.clear()

        for e in events:
            if e.type == LlmCallRepricedV1.event_type:
                await flush()
                r = LlmCallRepricedV1.model_validate(e.data)
                await conn.execute(
                    f"UPDATE {t} SET total_micros = $2, breakdown = $3::text::jsonb,"
                    " price_id = $4, position = $5 WHERE call_id = $1",
                    r.call_id,
                    r.new_total_micros,
                    orjson.dumps(r.breakdown.model_dump()).decode(),
                    r.price.price_id,
                    e.global_position,
                )
                continue
            priced = e.type == LlmCallPricedV1.event_type
            c = (LlmCallPricedV1 if priced else LlmCallUnpricedV1).model_validate(e.data)
            upserts.append(
                (
                    c.call_id,
                    c.run_id,
                    c.agent_id,
                    c.team_id,
                    c.api_key_id,
                    c.provider,
                    c.model,
                    e.metadata.get("price_key") or price_key(c.provider, c.model),
                    c.occurred_at,
                    orjson.dumps(c.usage.model_dump()).decode(),
                    "priced" if priced else "unpriced",
                    c.total_micros if isinstance(c, LlmCallPricedV1) else None,
                    orjson.dumps(c.breakdown.model_dump()).decode()
                    if isinstance(c, LlmCallPricedV1)
                    else None,
                    c.price.price_id if isinstance(c, LlmCallPricedV1) else None,
                    c.reservation_id,
                    None if isinstance(c, LlmCallPricedV1) else c.reason,
                    e.global_position,
                )
            )
        await flush()
