"""The cost of one call from its usage and a price entry: exact Decimal arithmetic, one
rounding at the end.

Unit prices are USD per million tokens, so `tokens * price` is already micro-USD. The
total is rounded half-up to a whole micro-USD once; the components are then rounded so
that they add up to exactly that total (largest remainder), so a breakdown never
disagrees with its total and the total equals genai-prices' own calculation."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import ROUND_FLOOR, ROUND_HALF_UP, Decimal

from cognive_contracts.events.base import TokenUsage
from cognive_contracts.events.cost import CostBreakdown, PriceTier, UnitPrices

COMPONENTS = (
    "input_micros",
    "cached_input_micros",
    "cache_write_micros",
    "output_micros",
    "reasoning_micros",
    "request_micros",
)


@dataclass(frozen=True, slots=True)
class Cost:
    breakdown: CostBreakdown
    total_micros: int
    exact_micros: Decimal


def prices_for(base: UnitPrices, tiers: Sequence[PriceTier], input_tokens: int) -> UnitPrices:
    """The tier in force: the highest whose threshold the call's input tokens exceed (a
    crossed tier applies to every token, the providers' "cliff" model)."""
    chosen = base
    for tier in sorted(tiers, key=lambda t: t.above_input_tokens):
        if input_tokens > tier.above_input_tokens:
            chosen = tier.prices
    return chosen


def exact_components(usage: TokenUsage, p: UnitPrices) -> dict[str, Decimal]:
    input_price = Decimal(p.input_usd_per_mtok)
    output_price = Decimal(p.output_usd_per_mtok)
    cached = min(usage.cached_input_tokens, usage.input_tokens)
    written = min(usage.cache_write_tokens, usage.input_tokens - cached)
    plain_input = usage.input_tokens - cached - written
    reasoning = min(usage.reasoning_tokens, usage.output_tokens)
    if p.reasoning_usd_per_mtok is None:
        # Reasoning tokens are output tokens, billed as output.
        output_part, reasoning_part = Decimal(usage.output_tokens) * output_price, Decimal(0)
    else:
        output_part = Decimal(usage.output_tokens - reasoning) * output_price
        reasoning_part = Decimal(reasoning) * Decimal(p.reasoning_usd_per_mtok)
    return {
        "input_micros": Decimal(plain_input) * input_price,
        "cached_input_micros": Decimal(cached)
        * Decimal(p.cached_input_usd_per_mtok or p.input_usd_per_mtok),
        "cache_write_micros": Decimal(written)
        * Decimal(p.cache_write_usd_per_mtok or p.input_usd_per_mtok),
        "output_micros": output_part,
        "reasoning_micros": reasoning_part,
        "request_micros": Decimal(p.request_usd) * 1_000_000,
    }


def cost_of(usage: TokenUsage, base: UnitPrices, tiers: Sequence[PriceTier] = ()) -> Cost:
    exact = exact_components(usage, prices_for(base, tiers, usage.input_tokens))
    total_exact = sum(exact.values(), Decimal(0))
    total = int(total_exact.quantize(Decimal(1), rounding=ROUND_HALF_UP))
    floors = {k: int(v.to_integral_value(rounding=ROUND_FLOOR)) for k, v in exact.items()}
    left = total - sum(floors.values())
    # Largest remainder: the components with the biggest fractions take the leftover µ$.
    by_fraction = sorted(exact, key=lambda k: (exact[k] - floors[k], k), reverse=True)
    for key in by_fraction[: max(0, left)]:
        floors[key] += 1
    return Cost(CostBreakdown(**floors), total, total_exact)
