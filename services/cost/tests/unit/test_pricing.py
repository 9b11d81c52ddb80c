"""Cost's pure pricing: components, rounding, tiers, reasoning, effective dates and
override precedence; and the cross-check against genai-prices' own calculation."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import ROUND_HALF_UP, Decimal

import pytest
from genai_prices import Usage, calc_price
from hypothesis import given
from hypothesis import strategies as st

from cognive_contracts.events.base import TokenUsage
from cognive_contracts.events.cost import PriceTier, UnitPrices
from cognive_cost.catalog.genai import resolve, seed_entries
from cognive_cost.domain.catalog import PriceEntry, choose
from cognive_cost.domain.pricing import cost_of

pytestmark = pytest.mark.unit

GPT4O = UnitPrices(
    input_usd_per_mtok="2.5", cached_input_usd_per_mtok="1.25", output_usd_per_mtok="10"
)


def test_components_and_total() -> None:
    usage = TokenUsage(input_tokens=1_000, cached_input_tokens=400, output_tokens=200)
    cost = cost_of(usage, GPT4O)
    # 600 x 2.5 + 400 x 1.25 + 200 x 10 micro-USD
    assert cost.breakdown.input_micros == 1_500
    assert cost.breakdown.cached_input_micros == 500
    assert cost.breakdown.output_micros == 2_000
    assert cost.total_micros == 4_000


def test_reasoning_is_output_unless_priced_apart() -> None:
    usage = TokenUsage(output_tokens=1_000, reasoning_tokens=600)
    assert cost_of(usage, GPT4O).breakdown.output_micros == 10_000
    apart = GPT4O.model_copy(update={"reasoning_usd_per_mtok": "20"})
    cost = cost_of(usage, apart)
    assert (cost.breakdown.output_micros, cost.breakdown.reasoning_micros) == (4_000, 12_000)


def test_cache_write_and_per_request() -> None:
    prices = UnitPrices(
        input_usd_per_mtok="3",
        cached_input_usd_per_mtok="0.3",
        cache_write_usd_per_mtok="3.75",
        output_usd_per_mtok="15",
        request_usd="0.001",
    )
    usage = TokenUsage(input_tokens=10_000, cached_input_tokens=2_000, cache_write_tokens=4_000)
    cost = cost_of(usage, prices)
    assert cost.breakdown.input_micros == 12_000
    assert cost.breakdown.cached_input_micros == 600
    assert cost.breakdown.cache_write_micros == 15_000
    assert cost.breakdown.request_micros == 1_000
    assert cost.total_micros == 28_600


def test_tier_applies_to_every_token_above_threshold() -> None:
    tiers = [
        PriceTier(
            above_input_tokens=128_000,
            prices=UnitPrices(input_usd_per_mtok="2.5", output_usd_per_mtok="10"),
        )
    ]
    base = UnitPrices(input_usd_per_mtok="1.25", output_usd_per_mtok="5")
    assert cost_of(TokenUsage(input_tokens=128_000), base, tiers).total_micros == 160_000
    assert cost_of(TokenUsage(input_tokens=128_001), base, tiers).total_micros == 320_003


@given(
    st.integers(0, 10**7),
    st.integers(0, 10**6),
    st.integers(0, 10**6),
    st.integers(0, 10**6),
    st.sampled_from(["0.15", "2.5", "0.0375", "1.1", "0.000001"]),
)
def test_breakdown_always_sums_to_the_rounded_total(
    inp: int, cached: int, out: int, reasoning: int, price: str
) -> None:
    usage = TokenUsage(
        input_tokens=inp + cached,
        cached_input_tokens=cached,
        output_tokens=out + reasoning,
        reasoning_tokens=reasoning,
    )
    prices = UnitPrices(
        input_usd_per_mtok=price,
        cached_input_usd_per_mtok="0.0125",
        output_usd_per_mtok="0.6",
        reasoning_usd_per_mtok="1.3",
        request_usd="0.0000004",
    )
    cost = cost_of(usage, prices)
    assert sum(cost.breakdown.model_dump().values()) == cost.total_micros
    assert cost.total_micros == int(cost.exact_micros.quantize(Decimal(1), ROUND_HALF_UP))
    assert all(v >= 0 for v in cost.breakdown.model_dump().values())


def entry(
    price_id: str,
    start: datetime,
    end: datetime | None = None,
    source: str = "genai-prices",
    team: str | None = None,
) -> PriceEntry:
    return PriceEntry(price_id, "openai", "gpt-4o", source, "v", start, end, GPT4O, (), team)


def test_choose_by_time_then_override_then_team() -> None:
    old = entry("old", datetime(2024, 1, 1, tzinfo=UTC), datetime(2025, 1, 1, tzinfo=UTC))
    new = entry("new", datetime(2025, 1, 1, tzinfo=UTC))
    override = entry("ov", datetime(2025, 6, 1, tzinfo=UTC), source="override")
    team = entry("team", datetime(2025, 6, 1, tzinfo=UTC), source="override", team="cx")
    entries = [old, new, override, team]
    at = datetime
    assert choose(entries, at(2024, 6, 1, tzinfo=UTC), None) is old
    assert choose(entries, at(2025, 3, 1, tzinfo=UTC), None) is new
    assert choose(entries, at(2025, 7, 1, tzinfo=UTC), None) is override
    assert choose(entries, at(2025, 7, 1, tzinfo=UTC), "cx") is team
    assert choose(entries, at(2023, 7, 1, tzinfo=UTC), None) is None


CROSS_CHECK = [
    ("openai", "gpt-4o"),
    ("openai", "gpt-4o-mini"),
    ("openai", "gpt-4.1"),
    ("openai", "gpt-4.1-mini"),
    ("openai", "o1"),
    ("openai", "o3-mini"),
    ("openai", "gpt-3.5-turbo"),
    ("anthropic", "claude-3-5-sonnet-latest"),
    ("anthropic", "claude-3-5-haiku-latest"),
    ("anthropic", "claude-3-opus-latest"),
    ("anthropic", "claude-3-7-sonnet-latest"),
    ("anthropic", "claude-sonnet-4-0"),
    ("google", "gemini-1.5-pro"),
    ("google", "gemini-1.5-flash"),
    ("google", "gemini-2.0-flash"),
    ("google", "gemini-2.5-pro"),
    ("mistral", "mistral-large-latest"),
    ("mistral", "mistral-small-latest"),
    ("deepseek", "deepseek-reasoner"),
    ("groq", "llama-3.3-70b-versatile"),
    ("cohere", "command-r-plus"),
    ("x-ai", "grok-3"),
]


@pytest.mark.parametrize(("provider", "model"), CROSS_CHECK)
@pytest.mark.parametrize("input_tokens", [12_345, 250_000])
@pytest.mark.parametrize("hour", [3, 20])
def test_cross_check_against_genai_prices(
    provider: str, model: str, input_tokens: int, hour: int
) -> None:
    """Cognive's catalog (seeded from genai-prices) and pricing equal genai-prices' own
    calculation for a fixed usage, to the micro-dollar."""
    resolved = resolve(provider, model)
    assert resolved is not None, (provider, model)
    # Two times of day: some providers price off-peak hours apart.
    now = datetime.now(UTC).replace(hour=hour, minute=0)
    entries = [
        PriceEntry(
            e.price_id,
            e.provider,
            e.model,
            e.source,
            e.catalog_version,
            e.effective_from,
            e.effective_to,
            e.prices,
            tuple(e.tiers),
            None,
            (e.daily_window.start, e.daily_window.end) if e.daily_window else None,
        )
        for e in seed_entries()
        if (e.provider, e.model) == resolved
    ]
    chosen = choose(entries, now, None)
    assert chosen is not None
    usage = TokenUsage(input_tokens=input_tokens, cached_input_tokens=3_000, output_tokens=4_321)
    ours = cost_of(usage, chosen.prices, chosen.tiers).total_micros
    theirs = calc_price(
        Usage(input_tokens=input_tokens, cache_read_tokens=3_000, output_tokens=4_321),
        resolved[1],
        provider_id=resolved[0],
        genai_request_timestamp=now,
    ).total_price
    assert ours == int((theirs * 1_000_000).quantize(Decimal(1), ROUND_HALF_UP)), (ours, theirs)
