"""The catalog as the pricing path reads it: entries by price key, reloaded when the
catalog projection has moved on (one cheap `max(position)` per consumed batch)."""

from __future__ import annotations

from collections import defaultdict
from datetime import time
from typing import Any

import asyncpg

from cognive_contracts.events.cost import DailyWindow, PriceTier, UnitPrices
from cognive_cost.catalog.genai import resolve
from cognive_cost.domain.catalog import PriceEntry, normalize


def price_key(provider: str, model: str) -> str:
    """Where calls and prices meet: genai-prices' own (provider, model) when it knows the
    model (so "gpt-4o-2024-08-06" and "gpt-4o" share prices), else the given names."""
    resolved = resolve(provider, model)
    if resolved is not None:
        return f"{resolved[0]}/{resolved[1]}"
    return f"{normalize(provider)}/{normalize(model)}"


def entry_from_row(row: Any) -> PriceEntry:
    return PriceEntry(
        price_id=row["price_id"],
        provider=row["provider"],
        model=row["model"],
        source=row["source"],
        catalog_version=row["catalog_version"],
        effective_from=row["effective_from"],
        effective_to=row["effective_to"],
        prices=UnitPrices.model_validate(row["prices"]),
        tiers=tuple(PriceTier.model_validate(t) for t in row["tiers"]),
        team_id=row["team_id"],
        daily_window=_window(row["daily_window"]),
    )


def _window(raw: Any) -> tuple[time, time] | None:
    if not raw:
        return None
    window = DailyWindow.model_validate(raw)
    return window.start, window.end


class CatalogCache:
    def __init__(self) -> None:
        self.position: int | None = None
        self.by_key: dict[str, list[PriceEntry]] = {}

    async def current(self, conn: asyncpg.Connection | asyncpg.Pool) -> dict[str, list[PriceEntry]]:
        position = await conn.fetchval("SELECT coalesce(max(position), 0) FROM prices")
        if position != self.position:
            by_key: dict[str, list[PriceEntry]] = defaultdict(list)
            for row in await conn.fetch("SELECT * FROM prices"):
                by_key[row["price_key"]].append(entry_from_row(row))
            self.by_key, self.position = dict(by_key), position
        return self.by_key
