"""Choosing the price of a call from the catalog: the entry effective at the call's time,
an operator's override before the maintained data, a team's override before a global one."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, time

from cognive_contracts.events.cost import PriceTier, UnitPrices


@dataclass(frozen=True, slots=True)
class PriceEntry:
    price_id: str
    provider: str
    model: str
    source: str
    catalog_version: str
    effective_from: datetime
    effective_to: datetime | None
    prices: UnitPrices
    tiers: tuple[PriceTier, ...]
    team_id: str | None = None
    daily_window: tuple[time, time] | None = None

    def covers(self, at: datetime) -> bool:
        if not (
            self.effective_from <= at and (self.effective_to is None or at < self.effective_to)
        ):
            return False
        if self.daily_window is None:
            return True
        start, end = self.daily_window
        now = at.astimezone(UTC).time().replace(tzinfo=None)
        start, end = start.replace(tzinfo=None), end.replace(tzinfo=None)
        return start <= now < end if start <= end else (now >= start or now < end)


def choose(entries: Iterable[PriceEntry], at: datetime, team_id: str | None) -> PriceEntry | None:
    """Among entries for one (provider, model) in force at `at`: overrides first (the
    team's, then global), then a time-of-day price while it applies, then the latest
    start."""
    best: PriceEntry | None = None
    best_rank: tuple[int, int, int, datetime] | None = None
    for entry in entries:
        if not entry.covers(at):
            continue
        if entry.team_id is not None and entry.team_id != team_id:
            continue
        rank = (
            1 if entry.source == "override" else 0,
            1 if entry.team_id is not None else 0,
            1 if entry.daily_window is not None else 0,
            entry.effective_from,
        )
        if best_rank is None or rank > best_rank:
            best, best_rank = entry, rank
    return best


def normalize(name: str) -> str:
    return name.strip().lower()
