"""The dead-letter queue of a service: publishing a poison item with its reason, and
reading messages back (for tests and the `cognive-admin dlq` commands).

The consumer publishes poison itself (with a publisher confirm) rather than letting the
broker dead-letter a rejected message: the broker's copy would carry the whole batch and no
reason, and on RabbitMQ 3.10 a reject is indistinguishable from a crash loop."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import aio_pika
import structlog
from aio_pika.abc import AbstractConnection, AbstractExchange

from cognive_contracts.topology import TopologyManifest
from cognive_runtime.consumer.decoding import PoisonItem
from cognive_runtime.consumer.retry import DlqPublishError

log = structlog.get_logger(__name__)

HEADER_REASON = "x-cognive-reason"
HEADER_DETAIL = "x-cognive-detail"
HEADER_QUEUE = "x-cognive-queue"
HEADER_ROUTING_KEY = "x-cognive-routing-key"
HEADER_EVENT_ID = "x-cognive-event-id"
HEADER_FAILED_AT = "x-cognive-failed-at"
HEADER_SERVICE = "x-cognive-service"


@dataclass(frozen=True, slots=True)
class DlqTarget:
    """Where a service's poison goes: the dead-letter exchange, the key its DLQ is bound
    by, and the DLQ's name (for reading back)."""

    exchange: str
    routing_key: str
    queue: str

    @classmethod
    def from_manifest(cls, manifest: TopologyManifest, service: str) -> DlqTarget:
        svc = manifest.service(service)
        return cls(
            exchange=manifest.dead_letter_exchange.name,
            routing_key=svc.dlq_routing_key,
            queue=svc.dlq.name,
        )


def poison_message(
    item: PoisonItem,
    *,
    service: str,
    queue: str,
    routing_key: str,
    failed_at: datetime | None = None,
) -> aio_pika.Message:
    headers: dict[str, Any] = {
        HEADER_REASON: item.reason.value,
        HEADER_DETAIL: item.detail,
        HEADER_QUEUE: queue,
        HEADER_ROUTING_KEY: routing_key,
        HEADER_SERVICE: service,
        HEADER_FAILED_AT: (failed_at or datetime.now(UTC)).isoformat(),
    }
    if item.event_id:
        headers[HEADER_EVENT_ID] = item.event_id
    return aio_pika.Message(
        item.body,
        content_type=item.content_type,
        content_encoding=item.content_encoding,
        headers=headers,
        message_id=item.event_id,
        type=item.event_type,
        app_id=service,
        delivery_mode=aio_pika.DeliveryMode.PERSISTENT,
    )


async def publish_poison(
    exchange: AbstractExchange,
    target: DlqTarget,
    item: PoisonItem,
    *,
    service: str,
    queue: str,
    routing_key: str,
    timeout_s: float = 30.0,
) -> None:
    """Publish one poison item to the DLQ and wait for the broker's confirm. `exchange` is
    the dead-letter exchange on a channel with publisher confirms and
    `on_return_raises=True` (mandatory: a DLQ that is not bound raises, never drops)."""
    message = poison_message(item, service=service, queue=queue, routing_key=routing_key)
    await exchange.publish(
        message, routing_key=target.routing_key, mandatory=True, timeout=timeout_s
    )


@dataclass(frozen=True, slots=True)
class DlqMessage:
    body: bytes
    content_type: str | None
    headers: Mapping[str, Any]
    message_id: str | None
    content_encoding: str | None = None

    @property
    def reason(self) -> str | None:
        return _text(self.headers.get(HEADER_REASON))

    @property
    def event_id(self) -> str | None:
        return _text(self.headers.get(HEADER_EVENT_ID))

    @property
    def detail(self) -> str | None:
        return _text(self.headers.get(HEADER_DETAIL))


def _text(value: Any) -> str | None:
    if isinstance(value, bytes):
        return value.decode(errors="replace")
    return None if value is None else str(value)


async def read_dlq(
    connection: AbstractConnection, queue: str, limit: int = 1_000
) -> list[DlqMessage]:
    """Up to `limit` messages of a DLQ, left in it: fetched without ack on a channel that is
    then closed, which returns them to the queue."""
    channel = await connection.channel()
    found: list[DlqMessage] = []
    try:
        dlq = await channel.get_queue(queue, ensure=False)
        while len(found) < limit:
            message = await dlq.get(no_ack=False, fail=False)
            if message is None:
                break
            found.append(
                DlqMessage(
                    body=message.body,
                    content_type=message.content_type,
                    headers=dict(message.headers or {}),
                    message_id=message.message_id,
                    content_encoding=message.content_encoding,
                )
            )
    finally:
        with contextlib.suppress(aio_pika.exceptions.AMQPError):
            await channel.close()
    return found


async def publish_poison_items(
    dlx: AbstractExchange,
    target: DlqTarget,
    poison: list[tuple[PoisonItem, str]],
    *,
    service: str,
    queue: str,
    timeout_s: float,
) -> None:
    """Publish each poison item alone, with confirms, concurrently; a failed publish is
    infrastructure trouble (`DlqPublishError`): the consumer holds the group and retries."""
    for item, _routing_key in poison:
        log.warning(
            "consumer.poison",
            queue=queue,
            reason=item.reason.value,
            event_id=item.event_id,
            event_type=item.event_type,
            detail=item.detail,
        )
    try:
        await asyncio.gather(
            *(
                publish_poison(
                    dlx,
                    target,
                    item,
                    service=service,
                    queue=queue,
                    routing_key=routing_key,
                    timeout_s=timeout_s,
                )
                for item, routing_key in poison
            )
        )
    except (TimeoutError, aio_pika.exceptions.AMQPError, OSError) as exc:
        raise DlqPublishError(f"DLQ publish failed: {exc!r}") from exc
