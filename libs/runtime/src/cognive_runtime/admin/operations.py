"""What `cognive-admin` does, as plain async functions over one service's own database
and the broker (never another service's schema)."""

from __future__ import annotations

import base64
import json
import uuid
from collections.abc import AsyncIterator, Callable, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import aio_pika
import asyncpg
from aio_pika.abc import AbstractRobustConnection

from cognive_contracts.topology import TopologyManifest, load_manifest
from cognive_runtime.amqp import connect_amqp, queue_depths
from cognive_runtime.amqp.content_encoding import ContentEncodingError, decode_body
from cognive_runtime.consumer.dlq import HEADER_EVENT_ID, HEADER_QUEUE
from cognive_runtime.db import create_pool
from cognive_runtime.eventlog import RecordedEvent, head_position, load_checkpoint
from cognive_runtime.eventlog.reader import _record
from cognive_runtime.projections import Projection
from cognive_runtime.projections.base import checkpoint_name, type_filter
from cognive_runtime.relay.encoding import EventEncoder
from cognive_runtime.settings import ServiceSettings


@dataclass
class Handles:
    settings: ServiceSettings
    pool: asyncpg.Pool
    amqp: AbstractRobustConnection
    manifest: TopologyManifest


@asynccontextmanager
async def handles(settings: ServiceSettings) -> AsyncIterator[Handles]:
    pool = await create_pool(
        settings.postgres_dsn,
        settings.schema_name,
        application_name="cognive-admin",
        min_size=1,
        max_size=4,
    )
    amqp = await connect_amqp(settings.rabbitmq_url.get_secret_value(), name="cognive-admin")
    try:
        yield Handles(settings, pool, amqp, load_manifest().with_prefix(settings.amqp_prefix))
    finally:
        await amqp.close()
        await pool.close()


async def status(h: Handles, projections: Sequence[Projection]) -> dict[str, Any]:
    head = await head_position(h.pool)
    relay = await load_checkpoint(h.pool, "relay")
    relay_lag = await h.pool.fetchval(
        "SELECT count(*) FROM events WHERE (tx_id, global_position) > ($1::xid8, $2)",
        relay.tx_id,
        relay.global_position,
    )
    views = []
    for projection in projections:
        checkpoint = await load_checkpoint(h.pool, checkpoint_name(projection.name))
        lag = await h.pool.fetchval(
            "SELECT count(*) FROM events WHERE (tx_id, global_position) > ($1::xid8, $2)"
            " AND ($3::text[] IS NULL OR type = ANY($3))",
            checkpoint.tx_id,
            checkpoint.global_position,
            type_filter(projection),
        )
        views.append(
            {"projection": projection.name, "checkpoint": checkpoint.global_position, "lag": lag}
        )
    spec = h.manifest.service(h.settings.service)
    depths = await queue_depths(h.amqp, [q.name for q in spec.queues] + [spec.dlq.name])
    return {
        "service": h.settings.service,
        "head_position": head.global_position,
        "events": await h.pool.fetchval("SELECT count(*) FROM events"),
        "relay": {"checkpoint": relay.global_position, "lag": relay_lag},
        "projections": views,
        "queues": {q.name: depths.get(q.name, 0) for q in spec.queues},
        "dlq": {"queue": spec.dlq.name, "depth": depths.get(spec.dlq.name, 0)},
    }


async def events(
    h: Handles,
    *,
    types: Sequence[str] = (),
    stream: str | None = None,
    from_position: int | None = None,
    to_position: int | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
    limit: int = 100,
) -> list[RecordedEvent]:
    rows = await h.pool.fetch(
        "SELECT global_position, tx_id, stream_id, stream_version, event_id, type,"
        " data::text AS data_json, metadata::text AS metadata_json, recorded_at FROM events"
        " WHERE ($1::text[] = '{}' OR type = ANY($1)) AND ($2::text IS NULL OR stream_id = $2)"
        " AND ($3::bigint IS NULL OR global_position >= $3)"
        " AND ($4::bigint IS NULL OR global_position <= $4)"
        " AND ($5::timestamptz IS NULL OR recorded_at >= $5)"
        " AND ($6::timestamptz IS NULL OR recorded_at <= $6)"
        " ORDER BY global_position LIMIT $7",
        list(types),
        stream,
        from_position,
        to_position,
        since,
        until,
        limit,
    )
    return [_record(r) for r in rows]


async def republish(
    h: Handles,
    from_position: int,
    to_position: int,
    types: Sequence[str] = (),
    *,
    dry_run: bool,
    on_progress: Callable[[int], None] | None = None,
) -> int:
    """Publish a range of the log again, as the relay did (consumers' inboxes drop what
    they already applied). Only the types this service publishes."""
    public = set(h.manifest.service(h.settings.service).publishes)
    wanted = [t for t in (types or sorted(public)) if t in public]
    count = int(
        await h.pool.fetchval(
            "SELECT count(*) FROM events WHERE global_position BETWEEN $1 AND $2"
            " AND type = ANY($3)",
            from_position,
            to_position,
            wanted,
        )
    )
    if dry_run or count == 0:
        return count
    encoder = EventEncoder(h.settings.service)
    channel = await h.amqp.channel(publisher_confirms=True)
    try:
        exchange = await channel.get_exchange(h.manifest.events_exchange.name, ensure=False)
        done = 0
        position = from_position
        while True:
            batch = await events(
                h, types=wanted, from_position=position, to_position=to_position, limit=500
            )
            if not batch:
                break
            for event in batch:
                body, content_type = encoder.message_body([event])
                await exchange.publish(
                    aio_pika.Message(
                        body,
                        content_type=content_type,
                        message_id=str(event.event_id),
                        type=event.type,
                        delivery_mode=aio_pika.DeliveryMode.PERSISTENT,
                        headers={"x-cognive-republished": "true"},
                    ),
                    routing_key=event.type,
                )
            done += len(batch)
            if on_progress:
                on_progress(done)
            position = batch[-1].global_position + 1
        return done
    finally:
        await channel.close()


@dataclass
class DlqEntry:
    index: int
    event_id: str | None
    reason: str | None
    detail: str | None
    queue: str | None
    failed_at: str | None
    body: bytes
    content_type: str | None
    headers: dict[str, Any]
    content_encoding: str | None = None


def _text(value: Any) -> str | None:
    if isinstance(value, bytes):
        return value.decode(errors="replace")
    return None if value is None else str(value)


def readable_body(body: bytes, content_encoding: str | None) -> Any:
    """A DLQ body as `dlq show` prints it: the JSON, decompressed if it is zstd (named or
    not: the broker's own dead-lettering and consumers before ADR 0018 keep it compressed);
    else the text; else, for bytes that are neither, base64."""
    try:
        plain = decode_body(body, content_encoding)
    except ContentEncodingError:
        plain = body
    try:
        return json.loads(plain)
    except ValueError:
        pass
    try:
        return plain.decode()
    except UnicodeDecodeError:
        return {"base64": base64.b64encode(body).decode()}


async def dlq_entries(h: Handles, limit: int = 1000) -> list[DlqEntry]:
    """The DLQ's messages, left in it."""
    from cognive_runtime.consumer.dlq import read_dlq

    dlq = h.manifest.service(h.settings.service).dlq.name
    found = []
    for n, message in enumerate(await read_dlq(h.amqp, dlq, limit)):
        headers = dict(message.headers)
        found.append(
            DlqEntry(
                index=n,
                event_id=message.event_id,
                reason=message.reason,
                detail=message.detail,
                queue=_text(headers.get(HEADER_QUEUE)),
                failed_at=_text(headers.get("x-cognive-failed-at")),
                body=message.body,
                content_type=message.content_type,
                headers=headers,
                content_encoding=message.content_encoding,
            )
        )
    return found


async def dlq_redrive(h: Handles, event_ids: Sequence[str] | None) -> int:
    """Move DLQ messages (all, or those of `event_ids`) back to the queue they failed on.
    The rest stay in the DLQ, in order."""
    dlq = h.manifest.service(h.settings.service).dlq.name
    channel = await h.amqp.channel(publisher_confirms=True)
    moved = 0
    try:
        # Only what is in the DLQ now: a redriven message that fails again comes back to
        # the DLQ while this runs, and must not be redriven a second time (CI caught it).
        queue = await channel.declare_queue(dlq, passive=True)
        present = queue.declaration_result.message_count or 0
        keep: list[aio_pika.abc.AbstractIncomingMessage] = []
        for _ in range(present):
            message = await queue.get(no_ack=False, fail=False)
            if message is None:
                break
            event_id = _text((message.headers or {}).get(HEADER_EVENT_ID))
            target = _text((message.headers or {}).get(HEADER_QUEUE))
            if target and (event_ids is None or event_id in event_ids):
                await channel.default_exchange.publish(
                    aio_pika.Message(
                        message.body,
                        content_type=message.content_type,
                        content_encoding=message.content_encoding,
                        message_id=message.message_id or str(uuid.uuid4()),
                        type=message.type,
                        delivery_mode=aio_pika.DeliveryMode.PERSISTENT,
                        headers={"x-cognive-redriven": "true"},
                    ),
                    routing_key=target,
                )
                await message.ack()
                moved += 1
            else:
                keep.append(message)
        for message in keep:
            await message.nack(requeue=True)
    finally:
        await channel.close()
    return moved


async def dlq_purge(h: Handles) -> int:
    dlq = h.manifest.service(h.settings.service).dlq.name
    channel = await h.amqp.channel()
    try:
        queue = await channel.get_queue(dlq, ensure=False)
        result = await queue.purge()
        return int(getattr(result, "message_count", 0) or 0)
    finally:
        await channel.close()
