"""The cost of one call from its usage and a price entry: exact arithmetic, one rounding at
the end.

Unit prices are USD per million tokens, so `tokens * price` is already micro-USD. The
total is rounded half-up to a whole micro-USD once; the components are then rounded so
that they add up to exactly that total (largest remainder), so a breakdown never
disagrees with its total and the total equals genai-prices' own calculation.

The arithmetic is on integers: each price table's decimal strings are read once into whole
numbers over one power of ten (`Rates`), so a component is `tokens * rate` exactly and the
rounding is a divmod. That is the same exact result the Decimal formulation gives (a unit
test holds them equal), at a fraction of its cost on the pricing path of every call."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache

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


@dataclass(frozen=True, slots=True)
class Rates:
    """One price table as integers: micro-USD per token (and per request) times
    `10 ** -exponent`. Reasoning None: billed at the output rate."""

    exponent: int
    input: int
    cached_input: int
    cache_write: int
    output: int
    reasoning: int | None
    request: int


def _digits(value: str) -> tuple[int, int]:
    """A contract DecimalStr ("12.345") as (12345, 3): the number is digits * 10**-places."""
    whole, _, fraction = value.partition(".")
    return int(whole + fraction), len(fraction)


@lru_cache(maxsize=4096)
def rates_of(p: UnitPrices) -> Rates:
    """`p` read into integers once; a catalog has a few hundred tables, each shared by
    every call of its model."""
    per_token = {
        "input": p.input_usd_per_mtok,
        "cached_input": p.cached_input_usd_per_mtok or p.input_usd_per_mtok,
        "cache_write": p.cache_write_usd_per_mtok or p.input_usd_per_mtok,
        "output": p.output_usd_per_mtok,
    }
    parsed = {k: _digits(v) for k, v in per_token.items()}
    reasoning = _digits(p.reasoning_usd_per_mtok) if p.reasoning_usd_per_mtok else None
    # USD per request is micro-USD times 10**6: six places fewer.
    request_digits, request_places = _digits(p.request_usd)
    request = (request_digits, request_places - 6)
    places = [pl for _, pl in parsed.values()] + [request[1]]
    if reasoning is not None:
        places.append(reasoning[1])
    exponent = max(0, *places)

    def scaled(number: tuple[int, int]) -> int:
        digits, pl = number
        factor: int = 10 ** (exponent - pl)  # exponent >= pl: a whole number
        return digits * factor

    return Rates(
        exponent=exponent,
        input=scaled(parsed["input"]),
        cached_input=scaled(parsed["cached_input"]),
        cache_write=scaled(parsed["cache_write"]),
        output=scaled(parsed["output"]),
        reasoning=scaled(reasoning) if reasoning is not None else None,
        request=scaled(request),
    )


def prices_for(base: UnitPrices, tiers: Sequence[PriceTier], input_tokens: int) -> UnitPrices:
    """The tier in force: the highest whose threshold the call's input tokens exceed (a
    crossed tier applies to every token, the providers' "cliff" model)."""
    chosen = base
    for tier in sorted(tiers, key=lambda t: t.above_input_tokens):
        if input_tokens > tier.above_input_tokens:
            chosen = tier.prices
    return chosen


def scaled_components(usage: TokenUsage, r: Rates) -> tuple[int, ...]:
    """Each component's exact micro-USD times 10**r.exponent, in `COMPONENTS` order."""
    cached = min(usage.cached_input_tokens, usage.input_tokens)
    written = min(usage.cache_write_tokens, usage.input_tokens - cached)
    plain_input = usage.input_tokens - cached - written
    if r.reasoning is None:
        # Reasoning tokens are output tokens, billed as output.
        output_part, reasoning_part = usage.output_tokens * r.output, 0
    else:
        reasoning = min(usage.reasoning_tokens, usage.output_tokens)
        output_part = (usage.output_tokens - reasoning) * r.output
        reasoning_part = reasoning * r.reasoning
    return (
        plain_input * r.input,
        cached * r.cached_input,
        written * r.cache_write,
        output_part,
        reasoning_part,
        r.request,
    )


def cost_of(usage: TokenUsage, base: UnitPrices, tiers: Sequence[PriceTier] = ()) -> Cost:
    prices = prices_for(base, tiers, usage.input_tokens) if tiers else base
    r = rates_of(prices)
    exact = scaled_components(usage, r)
    unit: int = 10**r.exponent
    total_scaled = sum(exact)
    whole, rest = divmod(total_scaled, unit)
    total = whole + (1 if 2 * rest >= unit else 0)  # half-up; amounts are never negative
    floors = [c // unit for c in exact]
    left = total - sum(floors)
    if left > 0:
        # Largest remainder: the components with the biggest fractions take the leftover
        # µ$ (ties: the later name in COMPONENTS order's reverse sort, as before).
        by_fraction = sorted(
            range(len(exact)), key=lambda i: (exact[i] % unit, COMPONENTS[i]), reverse=True
        )
        for i in by_fraction[:left]:
            floors[i] += 1
    return Cost(
        CostBreakdown(**dict(zip(COMPONENTS, floors, strict=True))),
        total,
        Decimal(total_scaled).scaleb(-r.exponent),
    )
