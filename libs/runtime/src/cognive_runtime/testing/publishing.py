"""Publishing contract events to a service under test as another service's relay would:
one CloudEvent per message, routing key = type, persistent, confirmed. Uncompressed, as a
relay set to `identity` sends them (consumers read both; ADR 0018)."""

from __future__ import annotations

import itertools
import uuid
from collections.abc import Sequence
from datetime import UTC, datetime

import aio_pika
from aio_pika.abc import AbstractRobustConnection

from cognive_contracts.envelope import (
    CONTENT_TYPE_SINGLE,
    CloudEvent,
    dataschema_for,
    encode_single,
    source_for,
    type_for,
)
from cognive_contracts.events.base import EventPayload
from cognive_contracts.topology import TopologyManifest

_SEQUENCE = itertools.count(1)


def cloud_event(
    payload: EventPayload,
    subject: str,
    *,
    source: str | None = None,
    event_id: uuid.UUID | None = None,
    sequence: int | None = None,
    traceparent: str | None = None,
    actor: str = "system",
) -> CloudEvent:
    service = source or payload.event_type.split(".", 1)[0]
    extra = {"traceparent": traceparent} if traceparent else {}
    return CloudEvent(
        id=event_id or uuid.uuid4(),
        source=source_for(service),
        type=type_for(payload.event_type),
        subject=subject,
        time=datetime.now(UTC),
        dataschema=dataschema_for(payload.event_type),
        data=payload.model_dump(mode="json"),
        sequence=sequence if sequence is not None else next(_SEQUENCE),
        actor=actor,
        **extra,
    )


async def publish_events(
    connection: AbstractRobustConnection,
    topology: TopologyManifest,
    events: Sequence[CloudEvent],
) -> None:
    channel = await connection.channel(publisher_confirms=True)
    try:
        exchange = await channel.get_exchange(topology.events_exchange.name, ensure=False)
        for event in events:
            routing_key = event.type.removeprefix("cognive.")
            await exchange.publish(
                aio_pika.Message(
                    encode_single(event),
                    content_type=CONTENT_TYPE_SINGLE,
                    message_id=str(event.id),
                    type=routing_key,
                    delivery_mode=aio_pika.DeliveryMode.PERSISTENT,
                ),
                routing_key=routing_key,
            )
    finally:
        await channel.close()


async def publish(
    connection: AbstractRobustConnection,
    topology: TopologyManifest,
    payload: EventPayload,
    subject: str,
    *,
    event_id: uuid.UUID | None = None,
    traceparent: str | None = None,
) -> CloudEvent:
    event = cloud_event(payload, subject, event_id=event_id, traceparent=traceparent)
    await publish_events(connection, topology, [event])
    return event
