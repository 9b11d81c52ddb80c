"""Events published by ingest: what agents did, as reported by the SDK."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import AwareDatetime

from cognive_contracts.events.base import EventPayload, Id, Name, NonNegInt, TokenUsage


class _RunScoped(EventPayload):
    """Fields every telemetry event carries, so consumers can attribute it without a
    lookup: the agent, its team as ingest knew it (None if not yet known), the key that
    sent it, and when it happened at the agent."""

    # Stable since the ingest service landed (issue 4): changes must stay compatible.
    contract_status = "stable"

    run_id: Id
    agent_id: Id
    team_id: Id | None = None
    api_key_id: Id | None = None
    occurred_at: AwareDatetime


class RunStartedV1(_RunScoped):
    event_type = "ingest.run.started.v1"

    name: str | None = None
    parent_run_id: Id | None = None
    metadata: dict[str, Any] = {}
    tags: list[str] = []


class RunEndedV1(_RunScoped):
    event_type = "ingest.run.ended.v1"

    status: Literal["success", "failure", "cancelled"]
    error: str | None = None
    duration_ms: NonNegInt | None = None


class StepRecordedV1(_RunScoped):
    event_type = "ingest.step.recorded.v1"

    step_id: Id
    name: Name
    payload: dict[str, Any] = {}


class LlmCallRecordedV1(_RunScoped):
    event_type = "ingest.llm_call.recorded.v1"

    call_id: Id
    provider: Name
    model: Name
    usage: TokenUsage
    latency_ms: NonNegInt
    status: Literal["ok", "error"]
    error: str | None = None
    provider_request_id: str | None = None
    # The budget pre-flight reservation this call spends (ARCHITECTURE §7).
    reservation_id: Id | None = None


class ToolCallRecordedV1(_RunScoped):
    event_type = "ingest.tool_call.recorded.v1"

    call_id: Id
    name: Name
    status: Literal["ok", "error"]
    latency_ms: NonNegInt
    error: str | None = None


class PolicyViolatedV1(EventPayload):
    event_type = "ingest.policy.violated.v1"
    contract_status = "stable"

    violation_id: Id
    kind: Literal["model_not_allowed", "tool_not_approved"]
    agent_id: Id
    team_id: Id | None = None
    run_id: Id | None = None
    # The LLM or tool call that violated the policy.
    call_id: Id | None = None
    model: str | None = None
    tool: str | None = None
    detail: str
    occurred_at: AwareDatetime
