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

# One statement per run of priced/unpriced calls, from the log's JSON as stored (the events
# were validated when cost wrote them): the projection does no per-call model round trip.
# jsonb_to_record reads each row's JSON in one pass (inlined, `d->>'field'` on `j::jsonb`
# parsed the text again for every field: measured 50 ms per 500 calls).
_UPSERT = """
INSERT INTO {t} AS c (call_id, run_id, agent_id, team_id, api_key_id, provider, model,
    price_key, occurred_at, usage, status, total_micros, breakdown, price_id, reservation_id,
    unpriced_reason, position)
SELECT d.call_id, d.run_id, d.agent_id, d.team_id, d.api_key_id, d.provider, d.model, k,
    d.occurred_at, d.usage,
    CASE WHEN priced THEN 'priced' ELSE 'unpriced' END,
    CASE WHEN priced THEN d.total_micros END,
    CASE WHEN priced THEN d.breakdown END,
    CASE WHEN priced THEN d.price->>'price_id' END,
    d.reservation_id,
    CASE WHEN priced THEN NULL ELSE d.reason END,
    p
FROM unnest($1::text[], $2::text[], $3::bool[], $4::bigint[]) AS u(j, k, priced, p),
    LATERAL jsonb_to_record(j::jsonb) AS d(call_id text, run_id text, agent_id text,
        team_id text, api_key_id text, provider text, model text, occurred_at timestamptz,
        usage jsonb, total_micros bigint, breakdown jsonb, price jsonb, reservation_id text,
        reason text)
ON CONFLICT (call_id) DO UPDATE SET status = excluded.status,
    total_micros = excluded.total_micros, breakdown = excluded.breakdown,
    price_id = excluded.price_id, unpriced_reason = excluded.unpriced_reason,
    team_id = coalesce(excluded.team_id, c.team_id), position = excluded.position
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
        # A repricing, or a second event of one call (an upsert cannot touch a row twice in
        # one statement), flushes the run first, so the order is the log's.
        run: dict[str, tuple[str, str, bool, int]] = {}

        async def flush() -> None:
            if run:
                cols = list(zip(*run.values(), strict=True))
                await conn.execute(_UPSERT.format(t=t), *cols)
                run.clear()

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
            data = e.data
            if data["call_id"] in run:
                await flush()
            run[data["call_id"]] = (
                e.data_json,
                e.metadata.get("price_key") or price_key(data["provider"], data["model"]),
                e.type == LlmCallPricedV1.event_type,
                e.global_position,
            )
        await flush()
