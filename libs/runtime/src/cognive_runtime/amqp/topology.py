"""Declaring the messaging topology from the contracts manifest (ARCHITECTURE §3).

Every service declares at start-up, idempotently: declaring what already exists with the
same arguments is a no-op for the broker, and a mismatch fails loudly (PRECONDITION_FAILED)
instead of leaving a queue configured differently from the manifest."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import aio_pika
import structlog
from aio_pika.abc import AbstractChannel, AbstractConnection, AbstractExchange
from pamqp.common import FieldTable

from cognive_contracts.topology import ExchangeSpec, QueueSpec, TopologyManifest

log = structlog.get_logger(__name__)

_EXCHANGE_TYPES = {
    "topic": aio_pika.ExchangeType.TOPIC,
    "fanout": aio_pika.ExchangeType.FANOUT,
    "direct": aio_pika.ExchangeType.DIRECT,
}


def queues_of(manifest: TopologyManifest, services: Sequence[str] | None = None) -> list[QueueSpec]:
    """The queues a declaration covers: the unroutable queue, and each chosen service's
    consumer queues and DLQ (every service when `services` is None)."""
    chosen = (
        manifest.services
        if services is None
        else tuple(manifest.service(name) for name in services)
    )
    queues = [q for svc in chosen for q in (*svc.queues, svc.dlq)]
    return [*queues, manifest.unroutable_queue]


async def declare_topology(
    channel_or_connection: AbstractChannel | AbstractConnection,
    manifest: TopologyManifest,
    services: Sequence[str] | None = None,
) -> None:
    """Declare the exchanges, and the queues and bindings of `services` (all by default)."""
    if isinstance(channel_or_connection, AbstractConnection):
        channel = await channel_or_connection.channel()
        try:
            await _declare(channel, manifest, services)
        finally:
            await channel.close()
    else:
        await _declare(channel_or_connection, manifest, services)


async def _declare(
    channel: AbstractChannel, manifest: TopologyManifest, services: Sequence[str] | None
) -> None:
    exchanges: dict[str, AbstractExchange] = {}
    # The alternate exchange first: the exchange that names it must find it.
    for spec in manifest.exchanges:
        exchanges[spec.name] = await _declare_exchange(channel, spec)
    queues = queues_of(manifest, services)
    for queue_spec in queues:
        queue = await channel.declare_queue(
            queue_spec.name, durable=True, arguments=dict(queue_spec.arguments)
        )
        for key in queue_spec.bindings:
            await queue.bind(exchanges[queue_spec.exchange], routing_key=key)
    log.info("amqp.topology_declared", exchanges=len(exchanges), queues=len(queues))


async def _declare_exchange(channel: AbstractChannel, spec: ExchangeSpec) -> AbstractExchange:
    arguments: FieldTable = {}
    if spec.alternate_exchange:
        arguments["alternate-exchange"] = spec.alternate_exchange
    return await channel.declare_exchange(
        spec.name, _EXCHANGE_TYPES[spec.type], durable=spec.durable, arguments=arguments
    )


async def queue_depths(connection: AbstractConnection, names: Iterable[str]) -> dict[str, int]:
    """Messages ready in each queue (passive declare), for metrics and `status`. A queue
    that does not exist is left out (the broker closes the channel on it; a new one is
    opened for the rest)."""
    depths: dict[str, int] = {}
    channel = await connection.channel()
    try:
        for name in names:
            try:
                queue = await channel.declare_queue(name, passive=True)
            except aio_pika.exceptions.ChannelClosed:
                await _close_quietly(channel)
                channel = await connection.channel()
                continue
            count = queue.declaration_result.message_count
            depths[name] = int(count or 0)
    finally:
        await _close_quietly(channel)
    return depths


async def _close_quietly(channel: AbstractChannel) -> None:
    if not channel.is_closed:
        try:
            await channel.close()
        except aio_pika.exceptions.AMQPError:
            log.debug("amqp.channel_close_failed")
