"""`ingest.llm_call.recorded.v1` → `cost.llm_call.priced|unpriced.v1` in cost's log.

Runs in the consumer's transaction with the inbox rows, so a redelivery prices nothing
twice; each call has its own stream (`call-<id>`), taken under the same per-stream lock
the append uses and checked for existence first, so a second recording of one call id
(another event id) is not priced again either."""

from __future__ import annotations

import time
from collections.abc import Mapping, Sequence
from typing import Any

import asyncpg
import structlog

from cognive_contracts.events.cost import LlmCallPricedV1
from cognive_contracts.events.ingest import LlmCallRecordedV1
from cognive_cost.catalog.store import CatalogCache, price_key
from cognive_cost.domain.calls import price_call
from cognive_cost.metrics import CALLS_PRICED, CALLS_UNPRICED, PRICING_SECONDS
from cognive_runtime.consumer.types import Handler, Inbound
from cognive_runtime.eventlog import NewEvent, StreamAppend, append, lock_streams

log = structlog.get_logger(__name__)


def call_stream(call_id: str) -> str:
    return f"call-{call_id}"


def metadata_of(inbound: Inbound[Any]) -> dict[str, str]:
    envelope = inbound.envelope
    metadata = {"actor": envelope.actor or "system", "causation_id": str(envelope.id)}
    if envelope.traceparent:
        metadata["traceparent"] = envelope.traceparent
    return metadata


class PricingHandler:
    def __init__(self, catalog: CatalogCache) -> None:
        self.catalog = catalog

    async def __call__(
        self, conn: asyncpg.Connection, events: Sequence[Inbound[LlmCallRecordedV1]]
    ) -> None:
        started = time.perf_counter()
        # A call is priced once even when two ingest events carry it: its stream is locked
        # until commit, and a stream that exists already holds its price.
        versions = await lock_streams(conn, [call_stream(i.payload.call_id) for i in events])
        seen = {stream for stream, version in versions.items() if version}
        catalog = await self.catalog.current(conn)
        teams = await self._teams(conn, events)
        appends: list[StreamAppend] = []
        priced = unpriced = 0
        for inbound in events:
            p = inbound.payload
            stream = call_stream(p.call_id)
            if stream in seen:
                log.info("cost.call_already_priced", call_id=p.call_id)
                continue
            seen.add(stream)
            team = p.team_id or teams.get(p.agent_id)
            call = {
                "call_id": p.call_id,
                "run_id": p.run_id,
                "agent_id": p.agent_id,
                "api_key_id": p.api_key_id,
                "provider": p.provider,
                "model": p.model,
                "occurred_at": p.occurred_at,
                "usage": p.usage,
                "reservation_id": p.reservation_id,
            }
            outcome = price_call(call, catalog.get(price_key(p.provider, p.model), []), team)
            if isinstance(outcome, LlmCallPricedV1):
                priced += 1
            else:
                unpriced += 1
                CALLS_UNPRICED.labels(p.provider, p.model).inc()
            # The key is kept with the event (not in the contract's data): the calls read
            # model is rebuilt with the matching in force when the call was priced.
            metadata = metadata_of(inbound) | {"price_key": price_key(p.provider, p.model)}
            appends.append(
                StreamAppend(
                    stream,
                    [NewEvent(outcome.event_type, outcome, metadata=metadata)],
                )
            )
        await append(conn, appends, versions=versions)
        CALLS_PRICED.inc(priced)
        PRICING_SECONDS.observe(time.perf_counter() - started)

    async def _teams(
        self, conn: asyncpg.Connection, events: Sequence[Inbound[LlmCallRecordedV1]]
    ) -> dict[str, str]:
        missing = sorted({i.payload.agent_id for i in events if i.payload.team_id is None})
        if not missing:
            return {}
        rows = await conn.fetch(
            "SELECT agent_id, team_id FROM agents WHERE agent_id = ANY($1::text[])", missing
        )
        return {r["agent_id"]: r["team_id"] for r in rows}


def pricing_handlers(catalog: CatalogCache) -> Mapping[str, Handler]:
    return {LlmCallRecordedV1.event_type: PricingHandler(catalog)}
