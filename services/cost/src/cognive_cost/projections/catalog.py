"""The pricing catalog (projection "catalog") from cost.pricing.changed.v1."""

from __future__ import annotations

from collections.abc import Sequence

import asyncpg
import orjson

from cognive_contracts.events.cost import PricingChangedV1
from cognive_cost.catalog.store import price_key
from cognive_runtime.eventlog import RecordedEvent
from cognive_runtime.projections import TableNames


class CatalogProjection:
    name = "catalog"
    tables = ("prices",)
    types = frozenset({PricingChangedV1.event_type})

    async def apply(
        self, conn: asyncpg.Connection, events: Sequence[RecordedEvent], tables: TableNames
    ) -> None:
        rows = []
        for e in events:
            c = PricingChangedV1.model_validate(e.data)
            rows.append(
                (
                    c.price_id,
                    e.metadata.get("price_key") or price_key(c.provider, c.model),
                    c.provider,
                    c.model,
                    c.source,
                    c.catalog_version,
                    c.effective_from,
                    c.effective_to,
                    orjson.dumps(c.prices.model_dump()).decode(),
                    orjson.dumps([t.model_dump() for t in c.tiers]).decode(),
                    c.team_id,
                    c.daily_window.model_dump_json() if c.daily_window else None,
                    e.global_position,
                    e.recorded_at,
                )
            )
        await conn.executemany(
            f"""INSERT INTO {tables["prices"]} (price_id, price_key, provider, model, source,
                catalog_version, effective_from, effective_to, prices, tiers, team_id,
                daily_window, position, updated_at)
            VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9::text::jsonb, $10::text::jsonb, $11,
                $12::text::jsonb, $13, $14)
            ON CONFLICT (price_id) DO UPDATE SET catalog_version = excluded.catalog_version,
                effective_from = excluded.effective_from, effective_to = excluded.effective_to,
                prices = excluded.prices, tiers = excluded.tiers,
                daily_window = excluded.daily_window, position = excluded.position,
                updated_at = excluded.updated_at""",
            rows,
        )
