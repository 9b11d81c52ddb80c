"""The agent policy: which models an agent may call and which tools it may use.

Patterns are shell-style globs matched case-sensitively (``gpt-4o*``, ``claude-3-?-*``);
an exact name matches itself. An empty list allows nothing (the registry contract says
so), so an agent registered without models violates on its first LLM call."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from fnmatch import fnmatchcase
from typing import Final, Literal

from cognive_contracts.events.ingest import PolicyViolatedV1
from cognive_ingest.domain.agents import AgentSynced

CallKind = Literal["llm_call", "tool_call"]
_NAMESPACE: Final = uuid.UUID("0f3a9d8e-2b7c-4c61-a1f4-6e8d2c9b7a55")


@dataclass(frozen=True, slots=True)
class AgentPolicy:
    agent_id: str
    team_id: str
    allowed_models: tuple[str, ...] = ()
    approved_tools: tuple[str, ...] = ()
    retired: bool = False
    source_sequence: int | None = None

    def applies(self, change: AgentSynced) -> bool:
        """Whether `change` is newer than what this policy was built from."""
        if change.source_sequence is None or self.source_sequence is None:
            return True
        return change.source_sequence > self.source_sequence

    def updated(self, change: AgentSynced) -> AgentPolicy:
        if not self.applies(change):
            return self
        return replace(
            self,
            team_id=change.team_id,
            allowed_models=self.allowed_models
            if change.allowed_models is None
            else tuple(change.allowed_models),
            approved_tools=self.approved_tools
            if change.approved_tools is None
            else tuple(change.approved_tools),
            retired=change.retired or (self.retired and change.allowed_models is None),
            source_sequence=change.source_sequence
            if change.source_sequence is not None
            else self.source_sequence,
        )

    @classmethod
    def first(cls, change: AgentSynced) -> AgentPolicy:
        return cls(agent_id=change.agent_id, team_id=change.team_id).updated(change)


@dataclass(frozen=True, slots=True)
class Call:
    """An LLM or tool call to judge: ``subject`` is the model or the tool name."""

    event_id: uuid.UUID
    kind: CallKind
    agent_id: str
    run_id: str
    call_id: str
    team_id: str | None
    subject: str
    occurred_at: datetime


def matches_any(name: str, patterns: Sequence[str]) -> bool:
    return any(fnmatchcase(name, pattern) for pattern in patterns)


def evaluate(policy: AgentPolicy, call: Call) -> PolicyViolatedV1 | None:
    """The violation this call commits against `policy`, if any."""
    if call.kind == "llm_call":
        if matches_any(call.subject, policy.allowed_models):
            return None
        kind: Literal["model_not_allowed", "tool_not_approved"] = "model_not_allowed"
        detail = (
            f"model {call.subject!r} matches none of allowed_models {list(policy.allowed_models)}"
        )
    else:
        if matches_any(call.subject, policy.approved_tools):
            return None
        kind = "tool_not_approved"
        detail = f"tool {call.subject!r} is not in approved_tools {list(policy.approved_tools)}"
    return PolicyViolatedV1(
        violation_id=str(violation_id(call.event_id, kind)),
        kind=kind,
        agent_id=call.agent_id,
        team_id=policy.team_id or call.team_id,
        run_id=call.run_id,
        call_id=call.call_id,
        model=call.subject if call.kind == "llm_call" else None,
        tool=call.subject if call.kind == "tool_call" else None,
        detail=detail,
        occurred_at=call.occurred_at,
    )


def violation_id(call_event_id: uuid.UUID, kind: str) -> uuid.UUID:
    """Deterministic: judging the same call twice cannot record two violations."""
    return uuid.uuid5(_NAMESPACE, f"{call_event_id}:{kind}")
