"""A submitted batch, validated event by event: the good ones become log events, the bad
ones are reported by index, field and reason (docs/adr: ingest partial batches).

The body has already passed the envelope checks (JSON object with an ``events`` list
within the limits); here each item is judged on its own, so one bad event never costs the
others their place in the log."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Final

from pydantic import TypeAdapter, ValidationError

from cognive_contracts.http.ingest import EventBatchIn, EventIn, RejectedEvent
from cognive_ingest.domain.telemetry import EVENT_TYPES, TelemetryEvent, run_stream

_EVENT: Final = TypeAdapter(EventIn)
_LIST: Final = TypeAdapter(list[EventIn])
# Fields the server owns: a client cannot claim another team or key.
_SERVER_FIELDS: Final = {"kind", "event_id", "traceparent"}
_MAX_REASONS: Final = 3


@dataclass(frozen=True, slots=True)
class Caller:
    """Who sent the batch, as the API key says: stamped on every event."""

    team_id: str
    api_key_id: str


@dataclass(slots=True)
class ValidatedBatch:
    events: list[TelemetryEvent] = field(default_factory=list)
    # Index in the request of each entry of `events`.
    indexes: list[int] = field(default_factory=list)
    rejected: list[RejectedEvent] = field(default_factory=list)
    # Same event_id twice in one request: the later ones are duplicates of the first.
    duplicate_in_batch: int = 0
    seen: set[uuid.UUID] = field(default_factory=set)


def validate_batch_json(body: bytes, caller: Caller, max_events: int) -> ValidatedBatch | None:
    """The fast path: a whole valid batch parsed and validated in one pass of pydantic-core,
    without building Python JSON first. None when anything is off (invalid JSON or event,
    over the limit): the caller then takes the slow path, which names every problem."""
    try:
        parsed = EventBatchIn.model_validate_json(body)
    except ValidationError:
        return None
    if len(parsed.events) > max_events:
        return None
    batch = ValidatedBatch()
    for index, model in enumerate(parsed.events):
        _accept(batch, index, model, caller)
    return batch


def validate_batch(items: Sequence[Any], caller: Caller) -> ValidatedBatch:
    """Validate every item; the common all-valid case is one pydantic call for the list."""
    try:
        models = _LIST.validate_python(items)
    except ValidationError:
        return _validate_one_by_one(items, caller)
    batch = ValidatedBatch()
    for index, model in enumerate(models):
        _accept(batch, index, model, caller)
    return batch


def _validate_one_by_one(items: Sequence[Any], caller: Caller) -> ValidatedBatch:
    batch = ValidatedBatch()
    for index, item in enumerate(items):
        try:
            model = _EVENT.validate_python(item)
        except ValidationError as exc:
            batch.rejected.append(rejection(index, item, exc))
            continue
        _accept(batch, index, model, caller)
    return batch


def _accept(batch: ValidatedBatch, index: int, model: EventIn, caller: Caller) -> None:
    if model.event_id in batch.seen:
        batch.duplicate_in_batch += 1
        return
    batch.seen.add(model.event_id)
    data = model.model_dump(mode="json", exclude=_SERVER_FIELDS)
    data["team_id"] = caller.team_id
    data["api_key_id"] = caller.api_key_id
    batch.events.append(
        TelemetryEvent(
            event_id=model.event_id,
            type=EVENT_TYPES[model.kind],
            stream_id=run_stream(model.run_id),
            data=data,
            traceparent=model.traceparent,
        )
    )
    batch.indexes.append(index)


def rejection(index: int, item: Any, exc: ValidationError) -> RejectedEvent:
    errors = exc.errors(include_url=False, include_input=False)
    fields = [_field(index, error) for error in errors]
    reasons = [f"{f}: {e['msg']}" for f, e in zip(fields, errors, strict=True)]
    if len(reasons) > _MAX_REASONS:
        reasons = [*reasons[:_MAX_REASONS], f"and {len(reasons) - _MAX_REASONS} more"]
    event_id = item.get("event_id") if isinstance(item, dict) else None
    return RejectedEvent(
        index=index,
        event_id=event_id if isinstance(event_id, str) else None,
        field=fields[0] if fields else f"events[{index}]",
        reason="; ".join(reasons) if len(errors) > 1 else str(errors[0]["msg"]),
    )


def _field(index: int, error: Any) -> str:
    loc = list(error["loc"])
    if error["type"] in ("union_tag_invalid", "union_tag_not_found"):
        return f"events[{index}].kind"
    # A tagged union puts the tag first in the location: it is not a field.
    if loc and isinstance(loc[0], str) and loc[0] in EVENT_TYPES:
        loc = loc[1:]
    path = f"events[{index}]"
    for part in loc:
        path += f"[{part}]" if isinstance(part, int) else f".{part}"
    return path
