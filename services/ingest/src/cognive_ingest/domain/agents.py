"""Ingest's private record of an agent's policy, translated from ``registry.agent.*``.

A consumed registry event becomes one ``ingest.agent.synced.v1`` event in ingest's own
log (ARCHITECTURE §2: inbox row and append in one transaction); the policy checker folds
those into its agents table in log order, beside the calls they judge. Private: it does
not cross a process boundary and is not part of the contracts."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Final

from pydantic import AwareDatetime, BaseModel, ConfigDict

from cognive_contracts.events.registry import AgentRegisteredV1, AgentRetiredV1, AgentUpdatedV1

AGENT_SYNCED: Final = "ingest.agent.synced.v1"
# Deterministic ids: translating the same registry event twice yields the same log event.
_NAMESPACE: Final = uuid.UUID("5b0c8a52-51a4-4b8e-9f7e-0c2d0a7f3c11")


class AgentSynced(BaseModel):
    """The agent's policy as of one registry event. ``allowed_models`` and
    ``approved_tools`` are None on a retirement, which leaves them as they were."""

    model_config = ConfigDict(frozen=True, extra="ignore")

    agent_id: str
    team_id: str
    allowed_models: list[str] | None = None
    approved_tools: list[str] | None = None
    retired: bool = False
    source_type: str
    source_event_id: str
    # The registry log position (CloudEvents `sequence`): an older state never overwrites
    # a newer one when deliveries arrive out of order.
    source_sequence: int | None = None
    changed_at: AwareDatetime


def agent_stream(agent_id: str) -> str:
    return f"agent-{agent_id}"


def synced_event_id(source_event_id: uuid.UUID) -> uuid.UUID:
    return uuid.uuid5(_NAMESPACE, f"agent-synced:{source_event_id}")


def from_registry(
    payload: AgentRegisteredV1 | AgentUpdatedV1 | AgentRetiredV1,
    *,
    source_event_id: uuid.UUID,
    sequence: int | None,
    time: datetime,
) -> AgentSynced:
    if isinstance(payload, AgentRetiredV1):
        return AgentSynced(
            agent_id=payload.agent_id,
            team_id=payload.team_id,
            retired=True,
            source_type=payload.event_type,
            source_event_id=str(source_event_id),
            source_sequence=sequence,
            changed_at=payload.retired_at,
        )
    return AgentSynced(
        agent_id=payload.agent_id,
        team_id=payload.team_id,
        allowed_models=list(payload.allowed_models),
        approved_tools=list(payload.approved_tools),
        source_type=payload.event_type,
        source_event_id=str(source_event_id),
        source_sequence=sequence,
        changed_at=time,
    )
