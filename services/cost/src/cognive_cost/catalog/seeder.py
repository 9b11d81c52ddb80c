"""Seeding the catalog from genai-prices: once per release, under a leader lock, as
`cost.pricing.changed.v1` events (so the audit trail shows where every price came from)."""

from __future__ import annotations

import asyncio

import asyncpg
import structlog

from cognive_contracts.events.cost import PricingChangedV1
from cognive_cost.catalog.genai import seed_entries
from cognive_cost.catalog.store import price_key
from cognive_cost.domain.overrides import Price, price_stream, seed_decision
from cognive_runtime.eventlog import NewEvent, StreamAppend, append
from cognive_runtime.projections.base import pooled_connection

log = structlog.get_logger(__name__)

_LATEST = """
SELECT DISTINCT ON (stream_id) stream_id, stream_version, data
FROM events WHERE stream_id LIKE 'price-gp:%'
ORDER BY stream_id, stream_version DESC
"""


async def seed_catalog(pool: asyncpg.Pool, chunk: int = 500) -> int:
    latest = {
        r["stream_id"]: (r["stream_version"], PricingChangedV1.model_validate(r["data"]))
        for r in await pool.fetch(_LATEST)
    }
    appends: list[StreamAppend] = []
    for wanted in seed_entries():
        stream = price_stream(wanted.price_id)
        version, current = latest.get(stream, (0, None))
        for event in seed_decision(Price(current) if current else None, wanted):
            metadata = {
                "actor": "system:catalog-seed",
                "price_key": price_key(wanted.provider, wanted.model),
            }
            appends.append(
                StreamAppend(
                    stream,
                    [NewEvent(event.event_type, event, metadata=metadata)],
                    expected_version=version,
                )
            )
    for start in range(0, len(appends), chunk):
        async with pooled_connection(pool) as conn, conn.transaction():
            await append(conn, appends[start : start + chunk])
    if appends:
        log.info("cost.catalog_seeded", changes=len(appends))
    return len(appends)


class CatalogSeeder:
    """Seeds when it becomes leader, then holds the lock idle (a new release arrives with a
    new deployment, which seeds again at its start)."""

    name = "catalog-seed"

    def __init__(self, pool: asyncpg.Pool) -> None:
        self.pool = pool

    async def run(self, stop: asyncio.Event) -> None:
        await seed_catalog(self.pool)
        await stop.wait()
