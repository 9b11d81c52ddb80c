from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta, timezone
from uuid import uuid4

import pytest
from pydantic import ValidationError

from cognive_contracts.envelope import (
    CONTENT_TYPE_BATCH,
    CONTENT_TYPE_SINGLE,
    CloudEvent,
    EnvelopeError,
    decode,
    decode_raw,
    encode_batch,
    encode_single,
    validate_items,
)

pytestmark = pytest.mark.unit

TRACEPARENT = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"


def make_event(type_: str = "cognive.ingest.llm_call.recorded.v1", **extra: object) -> CloudEvent:
    rk = type_.removeprefix("cognive.")
    fields: dict[str, object] = {
        "id": uuid4(),
        "source": "/cognive/ingest",
        "type": type_,
        "subject": "run-1",
        "time": datetime(2026, 3, 1, 12, 0, 0, 123456, tzinfo=UTC),
        "dataschema": f"https://schemas.cognive.dev/events/{rk}.json",
        "data": {"call_id": "c1", "nested": {"a": [1, 2, None]}, "optional": None},
        "sequence": 42,
        "traceparent": TRACEPARENT,
        "tenant": "acme",
        "actor": "key:k1",
    }
    fields.update(extra)
    return CloudEvent.model_validate(fields)


def test_single_round_trip() -> None:
    ev = make_event()
    body = encode_single(ev)
    assert decode(body, CONTENT_TYPE_SINGLE) == [ev]
    assert ev.routing_key == "ingest.llm_call.recorded.v1"
    # None inside data is kept; absent extensions are not written as null.
    assert json.loads(body)["data"]["optional"] is None
    minimal = make_event(sequence=None, traceparent=None, tenant=None, actor=None)
    assert "tenant" not in json.loads(encode_single(minimal))
    assert decode(encode_single(minimal), CONTENT_TYPE_SINGLE) == [minimal]


def test_batch_round_trip_in_order() -> None:
    events = [make_event(sequence=i) for i in range(5)]
    body = encode_batch(events)
    assert isinstance(json.loads(body), list)
    assert decode(body, CONTENT_TYPE_BATCH + "; charset=utf-8") == events


def test_mixed_type_batch_rejected() -> None:
    with pytest.raises(ValueError, match="one type"):
        encode_batch([make_event(), make_event("cognive.ingest.run.started.v1")])
    with pytest.raises(ValueError, match="at least one"):
        encode_batch([])


def test_time_is_normalized_to_utc_and_must_be_aware() -> None:
    plus2 = timezone(timedelta(hours=2))
    ev = make_event(time=datetime(2026, 3, 1, 14, 0, tzinfo=plus2))
    assert ev.time == datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
    assert ev.time.utcoffset() == timedelta(0)
    with pytest.raises(ValidationError):
        make_event(time=datetime(2026, 3, 1, 12, 0))


@pytest.mark.parametrize(
    "bad",
    [
        "not-a-traceparent",
        "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7",
        "00-00000000000000000000000000000000-00f067aa0ba902b7-01",
        "00-4bf92f3577b34da6a3ce929d0e0e4736-0000000000000000-01",
        "ff-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
        "00-4BF92F3577B34DA6A3CE929D0E0E4736-00f067aa0ba902b7-01",
    ],
)
def test_bad_traceparent_rejected(bad: str) -> None:
    with pytest.raises(ValidationError, match="traceparent"):
        make_event(traceparent=bad)


def test_bad_type_and_source_rejected() -> None:
    with pytest.raises(ValidationError):
        make_event(type_="ingest.llm_call.recorded.v1")
    with pytest.raises(ValidationError):
        make_event(source="ingest")


def test_unknown_attributes_are_kept() -> None:
    ev = make_event(partitionkey="p1")
    assert ev.model_extra == {"partitionkey": "p1"}
    assert decode(encode_single(ev), CONTENT_TYPE_SINGLE) == [ev]


def test_invalid_item_in_batch_identified_by_index() -> None:
    events = [make_event(sequence=i) for i in range(4)]
    items = json.loads(encode_batch(events))
    del items[2]["id"]
    body = json.dumps(items).encode()
    # The strict path fails as a whole, and says which item.
    with pytest.raises(ValidationError) as info:
        decode(body, CONTENT_TYPE_BATCH)
    assert {e["loc"][0] for e in info.value.errors()} == {2}
    # The item-by-item path splits it out and keeps the rest, in order.
    valid, invalid = validate_items(decode_raw(body, CONTENT_TYPE_BATCH))
    assert [i for i, _ in valid] == [0, 1, 3]
    assert [ev for _, ev in valid] == [events[0], events[1], events[3]]
    assert [bad.index for bad in invalid] == [2]
    assert "id" in invalid[0].reason


def test_non_object_item_is_invalid_not_a_crash() -> None:
    body = json.dumps([json.loads(encode_single(make_event())), 7]).encode()
    valid, invalid = validate_items(decode_raw(body, CONTENT_TYPE_BATCH))
    assert len(valid) == 1
    assert invalid[0].index == 1


@pytest.mark.parametrize(
    ("body", "content_type"),
    [
        (b"{not json", CONTENT_TYPE_SINGLE),
        (b"[]", CONTENT_TYPE_SINGLE),
        (b"{}", CONTENT_TYPE_BATCH),
        (b"{}", "application/json"),
    ],
)
def test_unreadable_message_is_envelope_error(body: bytes, content_type: str) -> None:
    with pytest.raises(EnvelopeError):
        decode_raw(body, content_type)


def test_decode_rejects_unknown_content_type() -> None:
    with pytest.raises(EnvelopeError):
        decode(encode_single(make_event()), "text/plain")


def test_traceparents_checked_once_are_remembered_within_a_bound() -> None:
    from cognive_contracts import envelope

    for i in range(3 * envelope._VALID_TRACEPARENTS_LIMIT):
        make_event(traceparent=f"00-{i + 1:032x}-{1:016x}-01")
    assert 0 < len(envelope._VALID_TRACEPARENTS) <= envelope._VALID_TRACEPARENTS_LIMIT
    assert f"00-{1:032x}-{1:016x}-01" not in envelope._VALID_TRACEPARENTS
    with pytest.raises(ValidationError, match="traceparent"):
        make_event(traceparent=f"00-{0:032x}-{1:016x}-01")
