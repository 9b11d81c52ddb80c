"""The integer pricing equals the plain Decimal formulation of the same rules, component
by component, for any usage and any price table the contract admits."""

from __future__ import annotations

from decimal import ROUND_FLOOR, ROUND_HALF_UP, Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cognive_contracts.events.base import TokenUsage
from cognive_contracts.events.cost import UnitPrices
from cognive_cost.domain.pricing import COMPONENTS, cost_of

pytestmark = pytest.mark.unit


def decimal_reference(usage: TokenUsage, p: UnitPrices) -> tuple[dict[str, int], int, Decimal]:
    """The rules written with Decimal, as cost priced before the integer arithmetic."""
    cached = min(usage.cached_input_tokens, usage.input_tokens)
    written = min(usage.cache_write_tokens, usage.input_tokens - cached)
    reasoning = min(usage.reasoning_tokens, usage.output_tokens)
    out = Decimal(p.output_usd_per_mtok)
    if p.reasoning_usd_per_mtok is None:
        output_part, reasoning_part = usage.output_tokens * out, Decimal(0)
    else:
        output_part = (usage.output_tokens - reasoning) * out
        reasoning_part = reasoning * Decimal(p.reasoning_usd_per_mtok)
    exact = {
        "input_micros": (usage.input_tokens - cached - written) * Decimal(p.input_usd_per_mtok),
        "cached_input_micros": cached
        * Decimal(p.cached_input_usd_per_mtok or p.input_usd_per_mtok),
        "cache_write_micros": written * Decimal(p.cache_write_usd_per_mtok or p.input_usd_per_mtok),
        "output_micros": output_part,
        "reasoning_micros": reasoning_part,
        "request_micros": Decimal(p.request_usd) * 1_000_000,
    }
    total_exact = sum(exact.values(), Decimal(0))
    total = int(total_exact.quantize(Decimal(1), rounding=ROUND_HALF_UP))
    floors = {k: int(v.to_integral_value(rounding=ROUND_FLOOR)) for k, v in exact.items()}
    left = total - sum(floors.values())
    by_fraction = sorted(exact, key=lambda k: (exact[k] - floors[k], k), reverse=True)
    for key in by_fraction[: max(0, left)]:
        floors[key] += 1
    return floors, total, total_exact


def decimal_str(places: int) -> st.SearchStrategy[str]:
    whole = st.integers(0, 200)
    fraction = st.integers(0, 10**places - 1)
    return st.builds(lambda w, f: f"{w}.{f:0{places}d}" if places else str(w), whole, fraction)


any_price = st.integers(0, 9).flatmap(decimal_str)
tokens = st.integers(0, 5_000_000)


@settings(max_examples=400)
@given(
    st.builds(
        TokenUsage,
        input_tokens=tokens,
        output_tokens=tokens,
        cached_input_tokens=tokens,
        cache_write_tokens=tokens,
        reasoning_tokens=tokens,
    ),
    st.builds(
        UnitPrices,
        input_usd_per_mtok=any_price,
        cached_input_usd_per_mtok=st.none() | any_price,
        cache_write_usd_per_mtok=st.none() | any_price,
        output_usd_per_mtok=any_price,
        reasoning_usd_per_mtok=st.none() | any_price,
        request_usd=any_price,
    ),
)
def test_integer_pricing_equals_the_decimal_rules(usage: TokenUsage, prices: UnitPrices) -> None:
    floors, total, exact = decimal_reference(usage, prices)
    cost = cost_of(usage, prices)
    assert cost.breakdown.model_dump() == floors
    assert cost.total_micros == total
    assert cost.exact_micros == exact
    assert list(floors) == list(COMPONENTS)


def test_a_request_price_finer_than_a_micro_dollar() -> None:
    # 0.0000004 USD per request is 0.4 µ$: exact until the one rounding of the total.
    prices = UnitPrices(input_usd_per_mtok="0", request_usd="0.0000004")
    cost = cost_of(TokenUsage(), prices)
    assert (cost.total_micros, cost.exact_micros) == (0, Decimal("0.4"))
    prices = UnitPrices(input_usd_per_mtok="0.5", request_usd="0.0000004")
    cost = cost_of(TokenUsage(input_tokens=1), prices)
    assert (cost.total_micros, cost.breakdown.input_micros, cost.breakdown.request_micros) == (
        1,
        1,
        0,
    )
