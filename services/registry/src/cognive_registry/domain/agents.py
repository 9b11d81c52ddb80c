"""Agents: registration is idempotent on (team, name, environment).

The agent id is derived from that triple, so a second registration lands on the same
stream: unchanged fields produce no event (the SDK registers at every start), changed ones
an update carrying the whole new state."""

from __future__ import annotations

import fnmatch
import uuid
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

from cognive_contracts.events.base import EventPayload
from cognive_contracts.events.registry import (
    AgentRegisteredV1,
    AgentRetiredV1,
    AgentUpdatedV1,
)
from cognive_runtime.domain_errors import Gone, NotFound

_AGENT_NAMESPACE = uuid.UUID("5b0f7c1e-5f38-4a57-9a5c-6f1d3c2b9e10")

MUTABLE = (
    "description",
    "framework",
    "version",
    "allowed_models",
    "approved_tools",
    "tags",
    "metadata",
)


def agent_id_for(team_id: str, environment: str, name: str) -> str:
    return str(uuid.uuid5(_AGENT_NAMESPACE, f"{team_id}\x1f{environment}\x1f{name}"))


@dataclass(frozen=True)
class Agent:
    agent_id: str
    team_id: str
    name: str
    environment: str
    framework: str
    description: str | None = None
    version: str | None = None
    allowed_models: list[str] = field(default_factory=list)
    approved_tools: list[str] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)
    metadata: dict[str, Any] = field(default_factory=dict)
    retired: bool = False

    def as_event_fields(self) -> dict[str, Any]:
        return {
            "agent_id": self.agent_id,
            "team_id": self.team_id,
            "name": self.name,
            "environment": self.environment,
            "framework": self.framework,
            "description": self.description,
            "version": self.version,
            "allowed_models": list(self.allowed_models),
            "approved_tools": list(self.approved_tools),
            "tags": list(self.tags),
            "metadata": dict(self.metadata),
        }


def fold_agent(events: list[EventPayload]) -> Agent | None:
    agent: Agent | None = None
    for event in events:
        if isinstance(event, AgentRegisteredV1 | AgentUpdatedV1):
            fields = event.model_dump(include=set(Agent.__dataclass_fields__))
            agent = Agent(**fields, retired=agent.retired if agent else False)
        elif isinstance(event, AgentRetiredV1) and agent is not None:
            agent = replace(agent, retired=True)
    return agent


def register_agent(current: Agent | None, wanted: Agent) -> list[EventPayload]:
    if current is None:
        return [AgentRegisteredV1(**wanted.as_event_fields())]
    if current.retired:
        raise Gone(f"agent {current.name} ({current.environment}) is retired")
    changes = {name: getattr(wanted, name) for name in MUTABLE}
    return update_agent(current, changes)


def update_agent(current: Agent | None, changes: dict[str, Any]) -> list[EventPayload]:
    if current is None:
        raise NotFound("agent not found")
    if current.retired:
        raise Gone(f"agent {current.agent_id} is retired")
    updated = replace(current, **{k: v for k, v in changes.items() if v is not None})
    if updated == current:
        return []
    return [AgentUpdatedV1(**updated.as_event_fields())]


def retire_agent(current: Agent | None, at: datetime, reason: str | None) -> list[EventPayload]:
    if current is None:
        raise NotFound("agent not found")
    if current.retired:
        return []
    return [
        AgentRetiredV1(
            agent_id=current.agent_id, team_id=current.team_id, retired_at=at, reason=reason
        )
    ]


def model_allowed(model: str, patterns: list[str]) -> bool:
    """Glob match (`gpt-4o*`), case-sensitive as providers' model ids are."""
    return any(fnmatch.fnmatchcase(model, pattern) for pattern in patterns)
