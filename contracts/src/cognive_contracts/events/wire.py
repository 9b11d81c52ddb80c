"""Translation between a payload model and its CloudEvent envelope."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from cognive_contracts.envelope import (
    CloudEvent,
    dataschema_for,
    source_for,
    type_for,
)
from cognive_contracts.events.base import EventPayload
from cognive_contracts.events.catalog import model_for


def to_cloudevent(
    payload: EventPayload,
    *,
    source_service: str,
    subject: str,
    id: UUID,  # the CloudEvents attribute name
    time: datetime,
    sequence: int | None = None,
    traceparent: str | None = None,
    tenant: str | None = None,
    actor: str | None = None,
) -> CloudEvent:
    routing_key = payload.event_type
    return CloudEvent(
        id=id,
        source=source_for(source_service),
        type=type_for(routing_key),
        subject=subject,
        time=time,
        dataschema=dataschema_for(routing_key),
        data=payload.model_dump(mode="json"),
        sequence=sequence,
        traceparent=traceparent,
        tenant=tenant,
        actor=actor,
    )


def parse_data(event: CloudEvent) -> EventPayload:
    """Validate ``event.data`` against the model of its type. Raises ``UnknownEventType``
    or pydantic ``ValidationError`` (both poison for a consumer)."""
    return model_for(event.routing_key).model_validate(event.data)
