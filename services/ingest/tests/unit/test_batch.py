"""Batch validation: the good events become contract payloads, the bad ones are named."""

import uuid
from datetime import UTC, datetime
from typing import Any

import pytest

from cognive_contracts.events import model_for
from cognive_ingest.domain.batch import Caller, validate_batch

pytestmark = pytest.mark.unit

CALLER = Caller(team_id="team-a", api_key_id="key-1")


def llm_call(**overrides: Any) -> dict[str, Any]:
    event = {
        "kind": "llm_call",
        "event_id": str(uuid.uuid4()),
        "run_id": "run-1",
        "agent_id": "agent-1",
        "occurred_at": datetime.now(UTC).isoformat(),
        "call_id": "call-1",
        "provider": "openai",
        "model": "gpt-4o",
        "usage": {"input_tokens": 10, "output_tokens": 5, "cached_input_tokens": 2},
        "latency_ms": 120,
        "status": "ok",
    }
    event.update(overrides)
    return event


def others() -> list[dict[str, Any]]:
    base = {"run_id": "run-1", "agent_id": "agent-1", "occurred_at": "2026-01-01T00:00:00Z"}
    return [
        {**base, "kind": "run_started", "event_id": str(uuid.uuid4()), "name": "r", "tags": ["x"]},
        {**base, "kind": "step", "event_id": str(uuid.uuid4()), "step_id": "s1", "name": "plan"},
        {
            **base,
            "kind": "tool_call",
            "event_id": str(uuid.uuid4()),
            "call_id": "t1",
            "name": "search",
            "status": "ok",
            "latency_ms": 3,
        },
        {**base, "kind": "run_ended", "event_id": str(uuid.uuid4()), "status": "success"},
    ]


def test_every_kind_becomes_its_contract_payload() -> None:
    items = [llm_call(), *others()]
    batch = validate_batch(items, CALLER)
    assert batch.rejected == []
    assert batch.indexes == [0, 1, 2, 3, 4]
    for event in batch.events:
        payload = model_for(event.type).model_validate(event.data)
        assert payload.team_id == "team-a"  # type: ignore[attr-defined]
        assert payload.api_key_id == "key-1"  # type: ignore[attr-defined]
        assert event.stream_id == "run-run-1"
        assert "kind" not in event.data
        assert "event_id" not in event.data


def test_server_fields_cannot_be_claimed_by_the_client() -> None:
    batch = validate_batch([llm_call(team_id="team-b", api_key_id="forged")], CALLER)
    assert batch.events[0].data["team_id"] == "team-a"
    assert batch.events[0].data["api_key_id"] == "key-1"


def test_bad_events_are_reported_by_index_and_field() -> None:
    items: list[Any] = [
        llm_call(),
        llm_call(usage={"input_tokens": -1}),
        {"kind": "telepathy", "event_id": str(uuid.uuid4())},
        {"event_id": str(uuid.uuid4())},
        "not an object",
        llm_call(latency_ms="slow"),
        llm_call(occurred_at="2026-01-01T00:00:00"),  # naive time
    ]
    batch = validate_batch(items, CALLER)
    assert batch.indexes == [0]
    by_index = {r.index: r for r in batch.rejected}
    assert by_index[1].field == "events[1].usage.input_tokens"
    assert by_index[2].field == "events[2].kind"
    assert by_index[3].field == "events[3].kind"
    assert by_index[4].field == "events[4]"
    assert by_index[5].field == "events[5].latency_ms"
    assert by_index[6].field == "events[6].occurred_at"
    assert by_index[1].event_id == items[1]["event_id"]


def test_repeated_event_id_in_one_batch_is_a_duplicate() -> None:
    first = llm_call()
    batch = validate_batch([first, dict(first), llm_call()], CALLER)
    assert len(batch.events) == 2
    assert batch.duplicate_in_batch == 1


def test_traceparent_goes_to_metadata_not_data() -> None:
    tp = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"
    batch = validate_batch([llm_call(traceparent=tp)], CALLER)
    assert batch.events[0].traceparent == tp
    assert "traceparent" not in batch.events[0].data
    bad = validate_batch([llm_call(traceparent="nope")], CALLER)
    assert bad.rejected[0].field == "events[0].traceparent"
