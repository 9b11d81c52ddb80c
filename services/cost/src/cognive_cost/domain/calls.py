"""Pricing a recorded call: priced with the entry in force at the call's time, or
unpriced (never $0) with the reason; and what a price change means for a call already
seen (priced at last, repriced by the delta, or nothing)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from cognive_contracts.events.base import EventPayload, TokenUsage
from cognive_contracts.events.cost import (
    LlmCallPricedV1,
    LlmCallRepricedV1,
    LlmCallUnpricedV1,
    PriceProvenance,
)
from cognive_cost.domain.catalog import PriceEntry, choose
from cognive_cost.domain.pricing import cost_of


def _provenance(entry: PriceEntry) -> PriceProvenance:
    return PriceProvenance(
        catalog_source=entry.source,
        catalog_version=entry.catalog_version,
        price_id=entry.price_id,
        effective_from=entry.effective_from,
    )


def price_call(
    call: dict[str, Any], entries: Sequence[PriceEntry], team_id: str | None
) -> EventPayload:
    """`call`: the identifying fields of the recorded call (call_id, run_id, agent_id,
    api_key_id, provider, model, occurred_at, usage, reservation_id)."""
    usage: TokenUsage = call["usage"]
    ref = {k: call[k] for k in ("call_id", "run_id", "agent_id", "api_key_id", "provider", "model")}
    ref |= {"team_id": team_id, "occurred_at": call["occurred_at"]}
    entry = choose(entries, call["occurred_at"], team_id)
    if entry is None:
        reason = "no_price_at_call_time" if entries else "unknown_model"
        return LlmCallUnpricedV1(
            **ref,
            usage=usage,
            reason=reason,
            detail=f"no price for {call['provider']}/{call['model']}",
            reservation_id=call.get("reservation_id"),
        )
    cost = cost_of(usage, entry.prices, entry.tiers)
    return LlmCallPricedV1(
        **ref,
        usage=usage,
        breakdown=cost.breakdown,
        total_micros=cost.total_micros,
        price=_provenance(entry),
        reservation_id=call.get("reservation_id"),
    )


def reprice_call(
    call: dict[str, Any],
    status: str,
    current_total: int | None,
    current_price_id: str | None,
    entries: Sequence[PriceEntry],
    at: datetime,
    team_id: str | None,
) -> EventPayload | None:
    """After a price change: an unpriced call that now has a price is priced (budget counts
    it then); a priced call whose price is now different gets the delta; else nothing."""
    if status == "unpriced":
        priced = price_call(call, entries, team_id)
        return priced if isinstance(priced, LlmCallPricedV1) else None
    entry = choose(entries, at, team_id)
    if entry is None or entry.price_id == current_price_id:
        return None
    cost = cost_of(call["usage"], entry.prices, entry.tiers)
    previous = current_total or 0
    if cost.total_micros == previous:
        return None
    return LlmCallRepricedV1(
        call_id=call["call_id"],
        run_id=call["run_id"],
        agent_id=call["agent_id"],
        team_id=team_id,
        api_key_id=call.get("api_key_id"),
        provider=call["provider"],
        model=call["model"],
        occurred_at=at,
        previous_total_micros=previous,
        new_total_micros=cost.total_micros,
        delta_micros=cost.total_micros - previous,
        breakdown=cost.breakdown,
        price=_provenance(entry),
        reason="price_corrected",
    )
