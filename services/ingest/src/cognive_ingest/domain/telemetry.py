"""What a submitted event becomes in ingest's log: its public type, its stream, its data.

The log's event types are the contract routing keys (``ingest.llm_call.recorded.v1``...)
and the stored data is exactly the contract payload, so the relay publishes rows as they
are, without a translation step."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any, Final

from cognive_contracts.events.ingest import (
    LlmCallRecordedV1,
    RunEndedV1,
    RunStartedV1,
    StepRecordedV1,
    ToolCallRecordedV1,
)
from cognive_contracts.http.ingest import EventKind

EVENT_TYPES: Final[dict[EventKind, str]] = {
    "run_started": RunStartedV1.event_type,
    "run_ended": RunEndedV1.event_type,
    "step": StepRecordedV1.event_type,
    "llm_call": LlmCallRecordedV1.event_type,
    "tool_call": ToolCallRecordedV1.event_type,
}
KIND_OF_TYPE: Final[dict[str, EventKind]] = {t: k for k, t in EVENT_TYPES.items()}

TELEMETRY_TYPES: Final = frozenset(EVENT_TYPES.values())
CALL_TYPES: Final = frozenset({LlmCallRecordedV1.event_type, ToolCallRecordedV1.event_type})
# A run's items: what its detail lists and its counts count (not its start and end).
ITEM_KINDS: Final[frozenset[EventKind]] = frozenset({"step", "llm_call", "tool_call"})
ITEM_TYPES: Final = frozenset(EVENT_TYPES[kind] for kind in ITEM_KINDS)


def run_stream(run_id: str) -> str:
    return f"run-{run_id}"


@dataclass(frozen=True, slots=True)
class TelemetryEvent:
    """One accepted event, ready to append: ``data`` is the contract payload of ``type``."""

    event_id: uuid.UUID
    type: str
    stream_id: str
    data: dict[str, Any]
    traceparent: str | None = None
