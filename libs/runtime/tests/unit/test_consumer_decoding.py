"""Which items of a message are poison, and why (the consumer's pure classification)."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime
from typing import Any, ClassVar

import pytest

from cognive_contracts.envelope import (
    CONTENT_TYPE_BATCH,
    CONTENT_TYPE_SINGLE,
    CloudEvent,
    TypedEvent,
    dataschema_for,
    encode_batch,
    encode_single,
)
from cognive_contracts.events.base import EventPayload
from cognive_runtime.amqp.content_encoding import ZSTD, encode_body
from cognive_runtime.consumer.decoding import Reason, decode_message, item_poison

pytestmark = pytest.mark.unit

KEY = "test.widget.made.v1"


class WidgetMadeV1(EventPayload):
    event_type: ClassVar[str] = KEY
    widget: str
    size: int


class GadgetMadeV1(EventPayload):
    event_type: ClassVar[str] = "test.gadget.made.v1"
    gadget: str


MODELS: dict[str, type[EventPayload]] = {KEY: WidgetMadeV1}
# Whether the one-pass typed read is tried first must not change any classification.
TYPED_OR_NOT = pytest.mark.parametrize("typed", [None, KEY])


def event(data: dict[str, Any] | None = None, key: str = KEY) -> CloudEvent:
    return CloudEvent(
        id=uuid.uuid4(),
        source="/cognive/test",
        type=f"cognive.{key}",
        subject="widget-1",
        time=datetime.now(UTC),
        dataschema=dataschema_for(key),
        data=data if data is not None else {"widget": "w", "size": 1},
    )


def as_dict(ev: CloudEvent) -> dict[str, Any]:
    parsed: dict[str, Any] = json.loads(encode_single(ev))
    return parsed


def test_valid_batch_is_all_items_in_order() -> None:
    events = [event({"widget": f"w{i}", "size": i}) for i in range(5)]
    out = decode_message(encode_batch(events), CONTENT_TYPE_BATCH, MODELS)
    assert out.poison == []
    assert [i.inbound.event_id for i in out.items] == [e.id for e in events]
    assert [i.inbound.payload.size for i in out.items] == [0, 1, 2, 3, 4]
    assert {i.routing_key for i in out.items} == {KEY}


@TYPED_OR_NOT
def test_a_zstd_batch_decodes_as_the_plain_one(typed: str | None) -> None:
    events = [event({"widget": f"w{i}", "size": i}) for i in range(5)]
    body, encoding = encode_body(encode_batch(events), ZSTD)
    out = decode_message(body, CONTENT_TYPE_BATCH, MODELS, typed, content_encoding=encoding)
    assert out.poison == []
    assert [i.inbound.event_id for i in out.items] == [e.id for e in events]
    # A refused item's DLQ copy is cut from the plain body, readable without zstd.
    poison = item_poison(out.items[2], Reason.DOMAIN_REJECTED, "no")
    assert poison.content_encoding is None
    assert json.loads(poison.body)["id"] == str(events[2].id)


def test_a_body_that_cannot_be_decompressed_is_poison_as_it_came() -> None:
    body = encode_body(encode_batch([event()]), ZSTD)[0][:-3]
    out = decode_message(body, CONTENT_TYPE_BATCH, MODELS, KEY, content_encoding=ZSTD)
    assert out.items == []
    [poison] = out.poison
    assert poison.reason == Reason.INVALID_ENCODING
    assert (poison.body, poison.content_encoding) == (body, ZSTD)
    assert "zstd" in poison.detail


def test_a_compressed_body_that_is_not_json_is_poison_as_it_came() -> None:
    body, encoding = encode_body(b"{not json", ZSTD)
    out = decode_message(body, CONTENT_TYPE_BATCH, MODELS, KEY, content_encoding=encoding)
    [poison] = out.poison
    assert poison.reason == Reason.INVALID_JSON
    assert (poison.body, poison.content_encoding) == (body, ZSTD)


def test_single_event_with_content_type_parameters() -> None:
    ev = event()
    out = decode_message(encode_single(ev), CONTENT_TYPE_SINGLE + "; charset=utf-8", MODELS)
    assert [i.inbound.envelope for i in out.items] == [ev]


def test_unknown_fields_in_payload_are_ignored() -> None:
    out = decode_message(
        encode_single(event({"widget": "w", "size": 1, "new": True})), CONTENT_TYPE_SINGLE, MODELS
    )
    assert len(out.items) == 1
    assert out.poison == []


@pytest.mark.parametrize(
    ("body", "content_type", "reason"),
    [
        (b"{not json", CONTENT_TYPE_SINGLE, Reason.INVALID_JSON),
        (b"\xff\xfe", CONTENT_TYPE_BATCH, Reason.INVALID_JSON),
        (b"[]", CONTENT_TYPE_SINGLE, Reason.INVALID_ENVELOPE),
        (b"{}", CONTENT_TYPE_BATCH, Reason.INVALID_ENVELOPE),
        (b"{}", "text/plain", Reason.INVALID_ENVELOPE),
    ],
)
@TYPED_OR_NOT
def test_unreadable_body_is_poison_whole(
    body: bytes, content_type: str, reason: Reason, typed: str | None
) -> None:
    out = decode_message(body, content_type, MODELS, typed)
    assert out.items == []
    [poison] = out.poison
    assert poison.reason is reason
    assert poison.body == body
    assert poison.event_id is None


@TYPED_OR_NOT
def test_poison_items_are_split_out_of_a_batch(typed: str | None) -> None:
    good = [event({"widget": f"g{i}", "size": i}) for i in range(3)]
    bad_payload = event({"widget": "w", "size": "big"})
    unknown = event(key="test.gadget.made.v1")
    no_id = as_dict(event())
    del no_id["id"]
    items = [
        as_dict(good[0]),
        as_dict(bad_payload),
        "not an object",
        as_dict(good[1]),
        no_id,
        as_dict(unknown),
        as_dict(good[2]),
    ]
    out = decode_message(json.dumps(items).encode(), CONTENT_TYPE_BATCH, MODELS, typed)

    assert [i.inbound.event_id for i in out.items] == [e.id for e in good]
    assert [i.index for i in out.items] == [0, 3, 6]
    reasons = sorted((p.reason.value, p.event_id) for p in out.poison)
    assert reasons == sorted(
        [
            ("invalid_envelope", None),  # "not an object"
            ("invalid_envelope", None),  # no id
            ("invalid_payload", str(bad_payload.id)),
            ("unknown_type", str(unknown.id)),
        ]
    )
    payload_poison = next(p for p in out.poison if p.reason is Reason.INVALID_PAYLOAD)
    # The offending item alone, as a single CloudEvent.
    assert CloudEvent.model_validate_json(payload_poison.body) == bad_payload
    assert payload_poison.content_type == CONTENT_TYPE_SINGLE
    assert "size" in payload_poison.detail
    assert payload_poison.event_type == bad_payload.type


@TYPED_OR_NOT
def test_invalid_envelope_keeps_what_is_known_of_the_item(typed: str | None) -> None:
    raw = as_dict(event())
    raw["source"] = "elsewhere"
    out = decode_message(json.dumps([raw]).encode(), CONTENT_TYPE_BATCH, MODELS, typed)
    [poison] = out.poison
    assert poison.reason is Reason.INVALID_ENVELOPE
    assert poison.event_id == raw["id"]
    assert json.loads(poison.body) == raw
    assert "source" in poison.detail


def test_detail_is_truncated() -> None:
    items = [as_dict(event({"widget": "w" * 10, "size": 1, **{f"x{i}": i for i in range(3)}}))]
    items[0]["data"] = {"widget": ["x"] * 2000, "size": ["y"] * 2000}
    out = decode_message(json.dumps(items).encode(), CONTENT_TYPE_BATCH, MODELS)
    [poison] = out.poison
    assert len(poison.detail) <= 1000


def test_typed_read_gives_the_payload_as_data_and_the_same_head() -> None:
    events = [
        event({"widget": f"w{i}", "size": i}).model_copy(update={"sequence": i}) for i in range(3)
    ]
    out = decode_message(encode_batch(events), CONTENT_TYPE_BATCH, MODELS, KEY)
    assert out.poison == []
    for item, ev in zip(out.items, events, strict=True):
        envelope = item.inbound.envelope
        assert isinstance(envelope, TypedEvent)
        assert envelope.data is item.inbound.payload
        assert envelope.model_dump(exclude={"data"}) == ev.model_dump(exclude={"data"})
        assert envelope.data.model_dump() == ev.data
    single = decode_message(encode_single(events[0]), CONTENT_TYPE_SINGLE, MODELS, KEY)
    assert isinstance(single.items[0].inbound.envelope, TypedEvent)


def test_without_typed_the_envelope_keeps_data_as_it_came() -> None:
    ev = event({"widget": "w", "size": 1, "added_later": [1, 2]})
    out = decode_message(encode_batch([ev, ev]), CONTENT_TYPE_BATCH, MODELS)
    envelope = out.items[0].inbound.envelope
    assert isinstance(envelope, CloudEvent)
    assert envelope.data == {"widget": "w", "size": 1, "added_later": [1, 2]}


def test_typed_read_is_not_trusted_with_an_item_of_another_type() -> None:
    """A message routed as widgets that carries a gadget: each item is read with its own
    type's model, as without the typed read (and a type without a handler is poison)."""
    models = {**MODELS, GadgetMadeV1.event_type: GadgetMadeV1}
    # Gadget data that would also pass as a widget: only the type tells them apart.
    gadget = event({"gadget": "g", "widget": "w", "size": 1}, key=GadgetMadeV1.event_type)
    body = json.dumps([as_dict(event()), as_dict(gadget)]).encode()
    out = decode_message(body, CONTENT_TYPE_BATCH, models, KEY)
    assert [type(i.inbound.payload) for i in out.items] == [WidgetMadeV1, GadgetMadeV1]
    assert [i.routing_key for i in out.items] == [KEY, GadgetMadeV1.event_type]
    out = decode_message(body, CONTENT_TYPE_BATCH, MODELS, KEY)
    assert [p.reason for p in out.poison] == [Reason.UNKNOWN_TYPE]


@TYPED_OR_NOT
def test_a_refused_item_goes_to_the_dlq_as_it_came(typed: str | None) -> None:
    """The typed envelope's data is the model's view (unknown fields dropped); the DLQ copy
    is the item of the message, unknown fields and all."""
    other = event({"widget": "o", "size": 2})
    refused = event({"widget": "w", "size": 1, "added_later": {"x": 1}})
    out = decode_message(encode_batch([other, refused]), CONTENT_TYPE_BATCH, MODELS, typed)
    poison = item_poison(out.items[1], Reason.DOMAIN_REJECTED, "no such widget")
    assert json.loads(poison.body) == as_dict(refused)
    assert (poison.event_id, poison.event_type) == (str(refused.id), refused.type)
    assert (poison.reason, poison.detail) == (Reason.DOMAIN_REJECTED, "no such widget")
    assert poison.content_type == CONTENT_TYPE_SINGLE
