"""The CloudEvents 1.0 envelope in structured JSON mode (ARCHITECTURE §4).

Every message on the broker is one CloudEvent object (`CONTENT_TYPE_SINGLE`) or a JSON
array of them in log order, all of one type (`CONTENT_TYPE_BATCH`).

Unknown attributes are *kept* (``extra="allow"``): a relay, a DLQ redrive or a webhook
that forwards an event must not silently drop an extension some newer producer added.
They round-trip unchanged and are reachable through ``model_extra``.
"""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime
from functools import lru_cache
from typing import Annotated, Any, Final, Generic, Literal, TypeVar
from uuid import UUID

from pydantic import (
    AfterValidator,
    AwareDatetime,
    BaseModel,
    ConfigDict,
    Field,
    TypeAdapter,
    ValidationError,
)

CONTENT_TYPE_SINGLE = "application/cloudevents+json"
CONTENT_TYPE_BATCH = "application/cloudevents-batch+json"
# The AMQP `content-encoding` a relay compresses its message bodies with (ADR 0018); a body
# without one is plain JSON. Consumers read both.
CONTENT_ENCODING_ZSTD: Final = "zstd"
TYPE_PREFIX = "cognive."
DATASCHEMA_BASE = "https://schemas.cognive.dev/events/"

# W3C trace-context: version-traceid-parentid-flags; version ff is forbidden and future
# versions may append fields, which a parser of version 00 must tolerate.
_TRACEPARENT = re.compile(r"^([0-9a-f]{2})-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})(-.*)?$")


class EnvelopeError(ValueError):
    """The body is not a CloudEvents message Cognive can read (wrong content type, not
    JSON, wrong shape). The whole message is poison, not one item of it."""


# Values that passed lately: the events of one batch nearly always share their producer's
# span, and every consumed envelope is checked (a regex per event measured ~10% of the
# decode). Bounded by clearing, and only version 00's fixed 55 characters are kept: a
# future version may append fields, and a client must not park long strings here.
_VALID_TRACEPARENTS: set[str] = set()
_VALID_TRACEPARENTS_LIMIT = 1024
_TRACEPARENT_V00_LENGTH = 55


def _check_traceparent(value: str | None) -> str | None:
    if value is None or value in _VALID_TRACEPARENTS:
        return value
    m = _TRACEPARENT.match(value)
    if m is None:
        raise ValueError("traceparent is not W3C trace-context")
    version, trace_id, parent_id, _flags, rest = m.groups()
    if version == "ff" or (version == "00" and rest is not None):
        raise ValueError("traceparent version is invalid")
    if trace_id == "0" * 32 or parent_id == "0" * 16:
        raise ValueError("traceparent ids must not be all zeros")
    if len(value) == _TRACEPARENT_V00_LENGTH:
        if len(_VALID_TRACEPARENTS) >= _VALID_TRACEPARENTS_LIMIT:
            _VALID_TRACEPARENTS.clear()
        _VALID_TRACEPARENTS.add(value)
    return value


def _utc(value: datetime) -> datetime:
    # One canonical zone so that equal instants compare and serialize identically.
    return value.astimezone(UTC)


Traceparent = Annotated[str | None, AfterValidator(_check_traceparent)]


class EventHead(BaseModel):
    """What every event carries besides its data: the envelope's attributes. Handlers read
    these (id, time, sequence, traceparent, actor...) whichever way ``data`` was read."""

    model_config = ConfigDict(frozen=True, extra="allow")

    specversion: Literal["1.0"] = "1.0"
    id: UUID
    source: Annotated[str, Field(pattern=r"^/cognive/[a-z][a-z0-9_-]*$")]
    type: Annotated[str, Field(pattern=r"^cognive\.[a-z0-9_]+(\.[a-z0-9_]+)*\.v[0-9]+$")]
    subject: Annotated[str, Field(min_length=1)]
    time: Annotated[AwareDatetime, AfterValidator(_utc)]
    dataschema: Annotated[str, Field(pattern=r"^https?://\S+$")]
    datacontenttype: Literal["application/json"] = "application/json"
    # Declared here so that it keeps its place among the attributes; the subclasses say
    # what it holds (`object` so that nothing reads it without knowing which).
    data: object
    # Extensions (CloudEvents requires lowercase alphanumeric names).
    traceparent: Traceparent = None
    sequence: Annotated[int | None, Field(ge=0)] = None
    tenant: str | None = None
    actor: str | None = None

    @property
    def routing_key(self) -> str:
        """The AMQP routing key: the type without the ``cognive.`` prefix."""
        return self.type[len(TYPE_PREFIX) :]


class CloudEvent(EventHead):
    """One event on the wire. ``id`` is the event_id of the producer's log row."""

    # The JSON object as it came (a payload's unknown fields kept). The docstring above is
    # the published schema's description.
    data: dict[str, Any]


D = TypeVar("D", bound=BaseModel)


class TypedEvent(EventHead, Generic[D]):
    """One event read with its data validated as a payload model in the same pass: what
    a consumer hands its handlers. The model drops fields it does not know, so a copy
    that must stay as it was on the wire (a DLQ copy, a forwarded event) is taken from
    the message, not from this."""

    data: D


def type_for(routing_key: str) -> str:
    return TYPE_PREFIX + routing_key


def source_for(service: str) -> str:
    return f"/cognive/{service}"


def dataschema_for(routing_key: str) -> str:
    """The identifier (not a fetched URL) of the JSON Schema of one event version."""
    return f"{DATASCHEMA_BASE}{routing_key}.json"


_BATCH = TypeAdapter(list[CloudEvent])


def encode_single(event: CloudEvent) -> bytes:
    # exclude_none drops absent extensions only; None inside `data` is kept (it is a dict).
    return event.model_dump_json(exclude_none=True).encode()


def encode_batch(events: list[CloudEvent]) -> bytes:
    if not events:
        raise ValueError("a batch carries at least one event")
    first = events[0].type
    for ev in events:
        if ev.type != first:
            raise ValueError(f"a batch is all of one type: {first!r} and {ev.type!r} mixed")
    return _BATCH.dump_json(events, exclude_none=True)


def _media_type(content_type: str) -> str:
    return content_type.split(";", 1)[0].strip().lower()


def decode(body: bytes, content_type: str) -> list[CloudEvent]:
    """Parse a whole message strictly; raises pydantic ``ValidationError`` if any item is
    invalid (its ``errors()[i]["loc"][0]`` is the item index for a batch) or
    ``EnvelopeError`` if the body is not a CloudEvents message at all."""
    media = _media_type(content_type)
    if media == CONTENT_TYPE_SINGLE:
        return [CloudEvent.model_validate_json(body)]
    if media == CONTENT_TYPE_BATCH:
        return _BATCH.validate_json(body)
    raise EnvelopeError(f"unsupported content type {content_type!r}")


# Held here: pydantic's own cache of parametrized classes is weak, and building one again
# costs a schema build.
@lru_cache(maxsize=256)
def _typed_single(model: type[BaseModel]) -> type[TypedEvent[Any]]:
    return TypedEvent[model]  # type: ignore[valid-type]


@lru_cache(maxsize=256)
def _typed_batch(model: type[BaseModel]) -> TypeAdapter[list[TypedEvent[Any]]]:
    return TypeAdapter(list[TypedEvent[model]])  # type: ignore[valid-type]


def decode_typed(body: bytes, content_type: str, model: type[D]) -> list[TypedEvent[D]]:
    """Parse a whole message whose items are all expected to carry `model` as data, in
    one validation pass (no intermediate dict of the data). Raises like ``decode``; it
    does not check the items' types, which the caller compares with what it expected."""
    media = _media_type(content_type)
    if media == CONTENT_TYPE_SINGLE:
        return [_typed_single(model).model_validate_json(body)]
    if media == CONTENT_TYPE_BATCH:
        return _typed_batch(model).validate_json(body)
    raise EnvelopeError(f"unsupported content type {content_type!r}")


def decode_raw(body: bytes, content_type: str) -> list[Any]:
    """Parse JSON only, so a consumer can validate item by item and split one bad item
    out of a batch. Items are unvalidated (normally dicts, but a broken producer may put
    anything in an array). Raises ``EnvelopeError`` when the message as a whole is
    unreadable."""
    media = _media_type(content_type)
    if media not in (CONTENT_TYPE_SINGLE, CONTENT_TYPE_BATCH):
        raise EnvelopeError(f"unsupported content type {content_type!r}")
    try:
        parsed = json.loads(body)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise EnvelopeError(f"body is not JSON: {exc}") from exc
    if media == CONTENT_TYPE_SINGLE:
        if not isinstance(parsed, dict):
            raise EnvelopeError("a single CloudEvent is a JSON object")
        return [parsed]
    if not isinstance(parsed, list):
        raise EnvelopeError("a CloudEvents batch is a JSON array")
    return parsed


class InvalidItem(BaseModel):
    """One item of a message that failed validation, with its position in the message."""

    model_config = ConfigDict(frozen=True)

    index: int
    raw: Any
    reason: str


def validate_items(items: list[Any]) -> tuple[list[tuple[int, CloudEvent]], list[InvalidItem]]:
    """Validate items one by one: the valid ones (with their index, in order) and the
    invalid ones, so that a poison item is split out and the rest still processed."""
    valid: list[tuple[int, CloudEvent]] = []
    invalid: list[InvalidItem] = []
    for index, item in enumerate(items):
        try:
            valid.append((index, CloudEvent.model_validate(item)))
        except ValidationError as exc:
            reason = "; ".join(
                f"{'.'.join(str(p) for p in e['loc']) or '<item>'}: {e['msg']}"
                for e in exc.errors(include_url=False)
            )
            invalid.append(InvalidItem(index=index, raw=item, reason=reason))
    return valid, invalid


def now_utc() -> datetime:
    return datetime.now(UTC)
