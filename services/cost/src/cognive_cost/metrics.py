"""Cost's own Prometheus metrics."""

from __future__ import annotations

from prometheus_client import Counter, Histogram

CALLS_PRICED = Counter("cognive_cost_calls_priced_total", "LLM calls priced")
CALLS_UNPRICED = Counter(
    "cognive_cost_calls_unpriced_total", "LLM calls with no known price", ["provider", "model"]
)
CALLS_REPRICED = Counter(
    "cognive_cost_calls_repriced_total", "Priced calls repriced by a price change", ["reason"]
)
PRICING_SECONDS = Histogram(
    "cognive_cost_pricing_seconds", "Time to price one consumed batch of calls"
)
