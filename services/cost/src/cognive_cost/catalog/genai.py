"""The maintained price data: genai-prices' snapshot as catalog entries, and its model
matching (model name variants, dated snapshots, provider aliases) — never a hand-copied
table, never our own matching rules."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from functools import lru_cache
from typing import Any

import genai_prices
from genai_prices import data_snapshot, types

from cognive_contracts.events.cost import DailyWindow, PriceTier, PricingChangedV1, UnitPrices

# Entries without a start date apply from the beginning.
EPOCH = datetime(2000, 1, 1, tzinfo=UTC)
CATALOG_VERSION = f"genai-prices {genai_prices.__version__}"


def _snapshot() -> Any:
    return data_snapshot.get_snapshot()


@lru_cache(maxsize=65_536)
def resolve(provider: str, model: str) -> tuple[str, str] | None:
    """genai-prices' (provider id, model id) for a call's provider and model, or None."""
    snapshot = _snapshot()
    for provider_id in (provider.lower(), None):
        try:
            found_provider, found_model = snapshot.find_provider_model(
                model, None, provider_id, None
            )
        except LookupError:
            continue
        return str(found_provider.id), str(found_model.id)
    return None


def _decimal(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, types.TieredPrices):
        value = value.base
    return format(Decimal(value).normalize(), "f")


def _at_threshold(value: Any, threshold: int) -> Any:
    if not isinstance(value, types.TieredPrices):
        return value
    price = value.base
    for tier in value.tiers:
        if tier.start <= threshold:
            price = tier.price
    return price


def _unit_prices(p: Any, threshold: int | None = None) -> UnitPrices:
    def get(key: str) -> str | None:
        value = p.__dict__.get(key)
        return _decimal(value if threshold is None else _at_threshold(value, threshold))

    requests = p.__dict__.get("requests_kcount")
    return UnitPrices(
        input_usd_per_mtok=get("input_mtok") or "0",
        cached_input_usd_per_mtok=get("cache_read_mtok"),
        cache_write_usd_per_mtok=get("cache_write_mtok"),
        output_usd_per_mtok=get("output_mtok") or "0",
        reasoning_usd_per_mtok=get("output_reasoning_mtok"),
        request_usd=format((Decimal(requests) / 1000).normalize(), "f") if requests else "0",
    )


def _tiers(p: Any) -> list[PriceTier]:
    thresholds = sorted(
        {t.start for v in p.__dict__.values() if isinstance(v, types.TieredPrices) for t in v.tiers}
    )
    return [
        PriceTier(above_input_tokens=t, prices=_unit_prices(p, threshold=t)) for t in thresholds
    ]


def _window(constraint: Any) -> DailyWindow | None:
    start, end = getattr(constraint, "start_time", None), getattr(constraint, "end_time", None)
    if start is None or end is None:
        return None
    return DailyWindow(start=start.replace(tzinfo=None), end=end.replace(tzinfo=None))


def _start(constraint: Any) -> datetime | None:
    """The start of a dated price; EPOCH for one that is not date-bound (including a
    time-of-day price, which applies every day)."""
    if constraint is None or _window(constraint) is not None:
        return EPOCH
    start = getattr(constraint, "start_date", None)
    if isinstance(start, datetime):
        return start if start.tzinfo else start.replace(tzinfo=UTC)
    if isinstance(start, date):
        return datetime(start.year, start.month, start.day, tzinfo=UTC)
    return None


def price_id(
    provider: str, model: str, effective_from: datetime, window: DailyWindow | None = None
) -> str:
    base = f"gp:{provider}:{model}:{effective_from:%Y%m%d}"
    return base if window is None else f"{base}:{window.start:%H%M}-{window.end:%H%M}"


def seed_entries() -> list[PricingChangedV1]:
    """Every priced (provider, model, start date) of the snapshot, as `created` events."""
    out: list[PricingChangedV1] = []
    for provider in _snapshot().providers:
        for model in provider.models:
            variants = model.prices if isinstance(model.prices, list) else [None]
            dated: list[tuple[datetime, Any]] = []
            for variant in variants:
                if variant is None:
                    dated.append((EPOCH, model.prices))
                    continue
                window = _window(variant.constraint)
                if window is not None:
                    out.append(_entry(provider.id, model.id, EPOCH, None, variant.prices, window))
                    continue
                start = _start(variant.constraint)
                if start is not None:
                    dated.append((start, variant.prices))
            dated.sort(key=lambda d: d[0])
            for n, (start, prices) in enumerate(dated):
                end = dated[n + 1][0] if n + 1 < len(dated) else None
                if end is not None and end <= start:
                    continue
                out.append(_entry(provider.id, model.id, start, end, prices, None))
    return out


def _entry(
    provider: str,
    model: str,
    start: datetime,
    end: datetime | None,
    prices: Any,
    window: DailyWindow | None,
) -> PricingChangedV1:
    return PricingChangedV1(
        price_id=price_id(provider, model, start, window),
        change="created",
        provider=provider,
        model=model,
        source="genai-prices",
        catalog_version=CATALOG_VERSION,
        effective_from=start,
        effective_to=end,
        prices=_unit_prices(prices),
        tiers=_tiers(prices),
        daily_window=window,
    )
