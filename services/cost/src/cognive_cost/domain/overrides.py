"""A price entry's life in the catalog: created (seeded or an operator's override),
updated (a new genai-prices release changed it), ended (an override's `effective_to`)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from cognive_contracts.events.base import EventPayload
from cognive_contracts.events.cost import PriceTier, PricingChangedV1, UnitPrices
from cognive_runtime.domain_errors import Conflict, DomainError, NotFound


@dataclass(frozen=True)
class Price:
    current: PricingChangedV1

    @property
    def ended(self) -> bool:
        return self.current.change == "ended"


def price_stream(price_id: str) -> str:
    return f"price-{price_id}"


def fold_price(events: list[EventPayload]) -> Price | None:
    price: Price | None = None
    for event in events:
        if isinstance(event, PricingChangedV1):
            price = Price(event)
    return price


def create_override(
    current: Price | None,
    *,
    price_id: str,
    provider: str,
    model: str,
    effective_from: datetime,
    effective_to: datetime | None,
    prices: UnitPrices,
    tiers: list[PriceTier],
    team_id: str | None,
) -> list[EventPayload]:
    if current is not None:
        raise Conflict(f"price {price_id} exists", field="price_id")
    if effective_to is not None and effective_to <= effective_from:
        raise DomainError("effective_to must be after effective_from", field="effective_to")
    return [
        PricingChangedV1(
            price_id=price_id,
            change="created",
            provider=provider,
            model=model,
            source="override",
            catalog_version="override",
            effective_from=effective_from,
            effective_to=effective_to,
            prices=prices,
            tiers=tiers,
            team_id=team_id,
        )
    ]


def end_override(current: Price | None, effective_to: datetime) -> list[EventPayload]:
    if current is None:
        raise NotFound("price not found")
    if current.current.source != "override":
        raise DomainError("only an override can be ended; add an override instead")
    if current.ended and current.current.effective_to == effective_to:
        return []
    if effective_to <= current.current.effective_from:
        raise DomainError("effective_to must be after effective_from", field="effective_to")
    return [current.current.model_copy(update={"change": "ended", "effective_to": effective_to})]


def seed_decision(current: Price | None, wanted: PricingChangedV1) -> list[EventPayload]:
    """What the maintained data asks for: create a new entry, update a changed one, or
    nothing (re-seeding with the same release appends nothing)."""
    if current is None:
        return [wanted]
    now = current.current
    same = (
        now.prices == wanted.prices
        and now.tiers == wanted.tiers
        and now.effective_to == wanted.effective_to
        and now.daily_window == wanted.daily_window
    )
    if same:
        return []
    return [wanted.model_copy(update={"change": "updated"})]
