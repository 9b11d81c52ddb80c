"""Which subscriptions an event reaches: its type, and its team and agent against the
subscription's filters (empty filters mean "everything of the subscription's team")."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True, slots=True)
class SubscriptionView:
    subscription_id: str
    channel_id: str
    team_id: str
    event_types: tuple[str, ...]
    filter_team_ids: tuple[str, ...]
    filter_agent_ids: tuple[str, ...]


def matches(sub: SubscriptionView, event_type: str, data: dict[str, Any]) -> bool:
    if event_type not in sub.event_types:
        return False
    team = data.get("team_id")
    agent = data.get("agent_id")
    teams = sub.filter_team_ids or (sub.team_id,)
    # An org-wide event (no team, e.g. an org budget) reaches subscriptions that do not
    # filter by team.
    if team is not None and team not in teams:
        return False
    if team is None and sub.filter_team_ids:
        return False
    return not (sub.filter_agent_ids and agent not in sub.filter_agent_ids)


def reached(
    subs: Sequence[SubscriptionView], event_type: str, data: dict[str, Any]
) -> list[SubscriptionView]:
    return [s for s in subs if matches(s, event_type, data)]
