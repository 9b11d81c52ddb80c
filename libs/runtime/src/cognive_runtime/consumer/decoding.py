"""A message body → the valid events of it and the poison items, each with its reason.

Pure: no I/O. The fast path validates the whole body, envelopes and payloads, in one
pydantic pass over the JSON (the normal case by far: a relay-packed batch of the type its
routing key names). When that fails, or the consumer asked for the data as it came, the
body is read as CloudEvents and each payload validated apart; a bad item is then split out
and the rest still applied."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from functools import lru_cache
from typing import Any

from pydantic import ValidationError

from cognive_contracts.envelope import (
    CONTENT_TYPE_SINGLE,
    CloudEvent,
    EnvelopeError,
    decode,
    decode_raw,
    decode_typed,
    encode_single,
    type_for,
    validate_items,
)
from cognive_contracts.events.base import EventPayload
from cognive_runtime.amqp.content_encoding import ContentEncodingError, decode_body
from cognive_runtime.consumer.types import Inbound

# Detail strings go into AMQP headers and logs: long pydantic reports are cut.
DETAIL_LIMIT = 1_000


class Reason(StrEnum):
    INVALID_ENCODING = "invalid_encoding"
    INVALID_JSON = "invalid_json"
    INVALID_ENVELOPE = "invalid_envelope"
    UNKNOWN_TYPE = "unknown_type"
    INVALID_PAYLOAD = "invalid_payload"
    DOMAIN_REJECTED = "domain_rejected"
    HANDLER_ERROR = "handler_error"


@dataclass(frozen=True, slots=True)
class Item:
    """One valid event of a message, at `index` in it. `body` and `content_type` are the
    message's: a DLQ copy of the item is cut from them."""

    index: int
    routing_key: str
    inbound: Inbound[Any]
    body: bytes
    content_type: str


@dataclass(frozen=True, slots=True)
class PoisonItem:
    """What goes to the DLQ: the offending item alone (or the whole body when it cannot be
    read at all), with the reason. A whole body keeps the `content_encoding` it came with;
    the copy of one item is plain JSON."""

    reason: Reason
    detail: str
    body: bytes
    content_type: str
    event_id: str | None = None
    event_type: str | None = None
    content_encoding: str | None = None


@dataclass(slots=True)
class Decoded:
    items: list[Item] = field(default_factory=list)
    poison: list[PoisonItem] = field(default_factory=list)


def truncate(text: str, limit: int = DETAIL_LIMIT) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _validation_detail(exc: ValidationError) -> str:
    return "; ".join(
        f"{'.'.join(str(p) for p in e['loc']) or '<root>'}: {e['msg']}"
        for e in exc.errors(include_url=False)
    )


def poison_of(event: CloudEvent, reason: Reason, detail: str) -> PoisonItem:
    return PoisonItem(
        reason=reason,
        detail=truncate(detail),
        body=encode_single(event),
        content_type=CONTENT_TYPE_SINGLE,
        event_id=str(event.id),
        event_type=event.type,
    )


def item_poison(item: Item, reason: Reason, detail: str) -> PoisonItem:
    """The DLQ copy of a valid item the handler refused: the event as it came. A typed
    envelope holds its model's view of the data (unknown fields dropped), so that item is
    cut from its message (read once however many of its items are refused)."""
    envelope = item.inbound.envelope
    if isinstance(envelope, CloudEvent):
        return poison_of(envelope, reason, detail)
    raw = _raw_items(item.body, item.content_type)[item.index]
    # As the other poison of valid items: the canonical id (a redrive matches it).
    return _raw_poison(raw, reason, detail, event_id=str(envelope.id), event_type=envelope.type)


@lru_cache(maxsize=4)
def _raw_items(body: bytes, content_type: str) -> tuple[Any, ...]:
    return tuple(decode_raw(body, content_type))


def _raw_poison(
    raw: Any,
    reason: Reason,
    detail: str,
    *,
    event_id: str | None = None,
    event_type: str | None = None,
) -> PoisonItem:
    """The DLQ copy of one item as it came. Its id and type are the ones given (a valid
    envelope's canonical values), else whatever strings the raw item holds."""
    if isinstance(raw, dict):
        event_id = event_id or raw.get("id")
        event_type = event_type or raw.get("type")
    return PoisonItem(
        reason=reason,
        detail=truncate(detail),
        body=json.dumps(raw, separators=(",", ":"), ensure_ascii=False).encode(),
        content_type=CONTENT_TYPE_SINGLE,
        event_id=event_id if isinstance(event_id, str) else None,
        event_type=event_type if isinstance(event_type, str) else None,
    )


def _classify_payloads(
    indexed: list[tuple[int, CloudEvent]],
    models: Mapping[str, type[EventPayload]],
    out: Decoded,
    body: bytes,
    content_type: str,
) -> None:
    for index, event in indexed:
        routing_key = event.routing_key
        model = models.get(routing_key)
        if model is None:
            out.poison.append(
                poison_of(event, Reason.UNKNOWN_TYPE, f"no handler for {event.type!r}")
            )
            continue
        try:
            payload = model.model_validate(event.data)
        except ValidationError as exc:
            out.poison.append(poison_of(event, Reason.INVALID_PAYLOAD, _validation_detail(exc)))
            continue
        out.items.append(Item(index, routing_key, Inbound(event, payload), body, content_type))


def _decode_typed(
    body: bytes, content_type: str, routing_key: str, model: type[EventPayload]
) -> Decoded | None:
    """All items valid and of `routing_key`'s type, in one pass; else None."""
    try:
        events = decode_typed(body, content_type, model)
    except (ValidationError, EnvelopeError):
        return None
    expected = type_for(routing_key)
    if any(event.type != expected for event in events):
        return None
    items = [
        Item(index, routing_key, Inbound(event, event.data), body, content_type)
        for index, event in enumerate(events)
    ]
    return Decoded(items)


def _whole_poison(
    body: bytes,
    content_type: str,
    content_encoding: str | None,
    reason: Reason,
    exc: Exception,
) -> PoisonItem:
    return PoisonItem(
        reason=reason,
        detail=truncate(str(exc)),
        body=body,
        content_type=content_type or "application/octet-stream",
        content_encoding=content_encoding or None,
    )


def decode_message(
    body: bytes,
    content_type: str,
    models: Mapping[str, type[EventPayload]],
    typed: str | None = None,
    content_encoding: str | None = None,
) -> Decoded:
    """Classify every item of one message. `models` maps the routing keys this consumer
    handles to their payload models; any other type is poison (`unknown_type`). `typed`:
    the routing key the message came with, when its handler takes typed envelopes; the
    one-pass read is tried for it first. `content_encoding`: the message's property (a
    relay compresses with zstd). A body that cannot be read at all goes to the DLQ as it
    came, encoding included; the copy of a single item is plain JSON."""
    received = body
    try:
        body = decode_body(body, content_encoding)
    except ContentEncodingError as exc:
        return Decoded(
            poison=[
                _whole_poison(
                    received, content_type, content_encoding, Reason.INVALID_ENCODING, exc
                )
            ]
        )
    model = models.get(typed) if typed else None
    if typed and model is not None:
        decoded = _decode_typed(body, content_type, typed, model)
        if decoded is not None:
            return decoded
    out = Decoded()
    try:
        events = decode(body, content_type)
    except (ValidationError, EnvelopeError):
        pass
    else:
        _classify_payloads(list(enumerate(events)), models, out, body, content_type)
        return out
    try:
        raw_items = decode_raw(body, content_type)
    except EnvelopeError as exc:
        not_json = isinstance(exc.__cause__, UnicodeDecodeError | json.JSONDecodeError)
        reason = Reason.INVALID_JSON if not_json else Reason.INVALID_ENVELOPE
        out.poison.append(_whole_poison(received, content_type, content_encoding, reason, exc))
        return out
    valid, invalid = validate_items(raw_items)
    bad = {item.index: item for item in invalid}
    for index in sorted(bad):
        out.poison.append(_raw_poison(bad[index].raw, Reason.INVALID_ENVELOPE, bad[index].reason))
    _classify_payloads(valid, models, out, body, content_type)
    return out
