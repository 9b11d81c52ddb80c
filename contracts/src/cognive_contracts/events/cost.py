"""Events published by cost: per-call prices and pricing catalog changes.

Amounts are integer micro-USD. Unit prices are exact decimal strings in USD (per million
tokens, or per request), because catalog prices can be finer than one micro-USD per
million tokens; neither is ever a float.
"""

from __future__ import annotations

from datetime import time
from typing import Literal

from pydantic import AwareDatetime

from cognive_contracts.events.base import (
    DecimalStr,
    EventPayload,
    Id,
    Micros,
    Name,
    NonNegInt,
    Shared,
    SignedMicros,
    TokenUsage,
)


class CostBreakdown(Shared):
    """The cost of one call per priced component; their sum is the call's total."""

    input_micros: Micros = 0
    cached_input_micros: Micros = 0
    cache_write_micros: Micros = 0
    output_micros: Micros = 0
    reasoning_micros: Micros = 0
    request_micros: Micros = 0


class PriceProvenance(Shared):
    """Which catalog entry priced the call, so a price can be audited and corrected."""

    catalog_source: Literal["genai-prices", "override"]
    catalog_version: str
    price_id: Id
    effective_from: AwareDatetime


class _CallRef(EventPayload):
    call_id: Id
    run_id: Id
    agent_id: Id
    team_id: Id | None = None
    api_key_id: Id | None = None
    provider: Name
    model: Name
    # When the call happened: prices and budget periods are chosen by this, not by when
    # the event was processed.
    occurred_at: AwareDatetime


class LlmCallPricedV1(_CallRef):
    event_type = "cost.llm_call.priced.v1"
    contract_status = "stable"

    usage: TokenUsage
    breakdown: CostBreakdown
    total_micros: Micros
    price: PriceProvenance
    # Copied from the recorded call so budget settles the pre-flight reservation.
    reservation_id: Id | None = None


class LlmCallUnpricedV1(_CallRef):
    """No price is known: the call is never priced $0; it waits for a price."""

    event_type = "cost.llm_call.unpriced.v1"
    contract_status = "stable"

    usage: TokenUsage
    reason: Literal["unknown_model", "no_price_at_call_time"]
    detail: str | None = None
    reservation_id: Id | None = None


class LlmCallRepricedV1(_CallRef):
    """A correction: budget applies ``delta_micros``; history is never edited."""

    event_type = "cost.llm_call.repriced.v1"
    contract_status = "stable"

    previous_total_micros: Micros
    new_total_micros: Micros
    delta_micros: SignedMicros
    breakdown: CostBreakdown
    price: PriceProvenance
    reason: Literal["price_corrected", "price_arrived"]


class UnitPrices(Shared):
    """USD per million tokens per component, and per request. ``reasoning`` None means
    reasoning tokens are billed at the output price."""

    input_usd_per_mtok: DecimalStr = "0"
    cached_input_usd_per_mtok: DecimalStr | None = None
    cache_write_usd_per_mtok: DecimalStr | None = None
    output_usd_per_mtok: DecimalStr = "0"
    reasoning_usd_per_mtok: DecimalStr | None = None
    request_usd: DecimalStr = "0"


class PriceTier(Shared):
    """Prices that apply once the call's input tokens exceed ``above_input_tokens``."""

    above_input_tokens: NonNegInt
    prices: UnitPrices


class DailyWindow(Shared):
    """A time-of-day price (off-peak discounts): it applies every day from ``start`` until
    ``end`` (UTC, end exclusive; a window may wrap midnight)."""

    start: time
    end: time


class PricingChangedV1(EventPayload):
    event_type = "cost.pricing.changed.v1"
    contract_status = "stable"

    price_id: Id
    change: Literal["created", "updated", "ended"]
    provider: Name
    model: Name
    source: Literal["genai-prices", "override"]
    catalog_version: str
    effective_from: AwareDatetime
    effective_to: AwareDatetime | None = None
    prices: UnitPrices
    tiers: list[PriceTier] = []
    team_id: Id | None = None
    # Set when the entry applies only at some hours of each day; such an entry wins over
    # an all-day one while it applies.
    daily_window: DailyWindow | None = None
