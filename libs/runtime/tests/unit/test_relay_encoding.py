"""The relay's templated CloudEvents JSON decodes into what cognive_contracts would build."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime, timedelta, timezone

import pytest

from cognive_contracts.envelope import (
    CONTENT_TYPE_BATCH,
    CONTENT_TYPE_SINGLE,
    CloudEvent,
    decode,
    encode_batch,
)
from cognive_contracts.events.registry import TeamCreatedV1
from cognive_contracts.events.wire import to_cloudevent
from cognive_runtime.eventlog import RecordedEvent
from cognive_runtime.relay import EventEncoder

pytestmark = pytest.mark.unit

TRACEPARENT = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"


def recorded(
    payload: TeamCreatedV1,
    *,
    position: int,
    stream_id: str = 'team-"1"/é',
    metadata: dict[str, object] | None = None,
    recorded_at: datetime | None = None,
) -> RecordedEvent:
    # Postgres renders jsonb text with spaces after separators; it must pass through as is.
    data_json = json.dumps(payload.model_dump(mode="json"), ensure_ascii=False)
    return RecordedEvent(
        global_position=position,
        tx_id=1000 + position,
        stream_id=stream_id,
        stream_version=position,
        event_id=uuid.uuid4(),
        type=payload.event_type,
        data_json=data_json,
        metadata_json=json.dumps(metadata or {}),
        recorded_at=recorded_at or datetime(2025, 3, 4, 5, 6, 7, 891011, tzinfo=UTC),
    )


def expected(
    event: RecordedEvent,
    payload: TeamCreatedV1,
    *,
    traceparent: str | None = None,
    tenant: str | None = None,
    actor: str | None = None,
) -> CloudEvent:
    return to_cloudevent(
        payload,
        source_service="registry",
        subject=event.stream_id,
        id=event.event_id,
        time=event.recorded_at,
        sequence=event.global_position,
        traceparent=traceparent,
        tenant=tenant,
        actor=actor,
    )


def test_single_event_equals_the_contracts_model() -> None:
    payload = TeamCreatedV1(team_id="t-1", name='Platform "core" ☃', description=None)
    metadata = {"traceparent": TRACEPARENT, "tenant": "acme", "actor": "user:ana", "x": 1}
    event = recorded(payload, position=42, metadata=metadata)
    body, content_type = EventEncoder("registry").message_body([event])
    assert content_type == CONTENT_TYPE_SINGLE
    [decoded] = decode(body, content_type)
    assert decoded == expected(
        event, payload, traceparent=TRACEPARENT, tenant="acme", actor="user:ana"
    )
    assert decoded.model_extra == {}


def test_absent_metadata_gives_no_extensions_and_time_is_utc() -> None:
    payload = TeamCreatedV1(team_id="t-2", name="Data", description="d")
    local = datetime(2025, 1, 1, 12, 0, tzinfo=timezone(timedelta(hours=2)))
    event = recorded(payload, position=7, recorded_at=local)
    body, content_type = EventEncoder("registry").message_body([event])
    [decoded] = decode(body, content_type)
    assert decoded == expected(event, payload)
    assert decoded.time == datetime(2025, 1, 1, 10, 0, tzinfo=UTC)
    assert decoded.traceparent is None
    assert decoded.actor is None


def test_non_string_extension_values_are_not_carried() -> None:
    payload = TeamCreatedV1(team_id="t-3", name="Ops")
    event = recorded(payload, position=3, metadata={"actor": {"id": 1}, "tenant": None})
    [decoded] = decode(*EventEncoder("registry").message_body([event]))
    assert decoded.actor is None
    assert decoded.tenant is None


def test_batch_equals_the_contracts_batch() -> None:
    payloads = [TeamCreatedV1(team_id=f"t-{i}", name=f"Team {i}") for i in range(5)]
    events = [recorded(p, position=10 + i, stream_id=f"team-{i}") for i, p in enumerate(payloads)]
    body, content_type = EventEncoder("registry").message_body(events)
    assert content_type == CONTENT_TYPE_BATCH
    decoded = decode(body, content_type)
    models = [expected(e, p) for e, p in zip(events, payloads, strict=True)]
    assert decoded == models
    assert decode(encode_batch(models), CONTENT_TYPE_BATCH) == decoded
