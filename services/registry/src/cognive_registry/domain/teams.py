"""Teams: created once, then renamed or re-described."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from cognive_contracts.events.base import EventPayload
from cognive_contracts.events.registry import TeamCreatedV1, TeamUpdatedV1
from cognive_runtime.domain_errors import Conflict, NotFound


@dataclass(frozen=True)
class Team:
    team_id: str
    name: str
    description: str | None


def fold_team(events: list[EventPayload]) -> Team | None:
    team: Team | None = None
    for event in events:
        if isinstance(event, TeamCreatedV1 | TeamUpdatedV1):
            team = Team(event.team_id, event.name, event.description)
    return team


def create_team(
    current: Team | None, team_id: str, name: str, description: str | None
) -> list[EventPayload]:
    if current is not None:
        raise Conflict(f"team {team_id} exists", field="team_id")
    return [TeamCreatedV1(team_id=team_id, name=name, description=description)]


def update_team(current: Team | None, team_id: str, changes: dict[str, Any]) -> list[EventPayload]:
    if current is None:
        raise NotFound(f"team {team_id} not found")
    name = changes.get("name") or current.name
    description = changes.get("description", current.description)
    if (name, description) == (current.name, current.description):
        return []
    return [TeamUpdatedV1(team_id=team_id, name=name, description=description)]
