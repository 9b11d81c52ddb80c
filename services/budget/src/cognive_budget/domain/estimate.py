"""What a pre-flight check reserves when the caller gives tokens rather than money.

Budget does not keep the price catalog (cost owns it); it learns from the priced calls it
already consumes the most a million tokens of each model has cost, and uses that — or a
configured fallback rate for a model it has not seen priced — so estimates err high."""

from __future__ import annotations

from cognive_contracts.events.base import TokenUsage


def micros_per_mtok(total_micros: int, usage: TokenUsage) -> int | None:
    tokens = usage.input_tokens + usage.output_tokens
    if tokens <= 0:
        return None
    # Ceiling: an estimate rounds up.
    return -(-total_micros * 1_000_000 // tokens)


def estimate_micros(tokens: int, rate_micros_per_mtok: int) -> int:
    return -(-tokens * rate_micros_per_mtok // 1_000_000)
