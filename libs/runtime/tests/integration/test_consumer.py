"""The queue consumer against real RabbitMQ and Postgres: inbox dedup, poison split out to
the DLQ with its reason, a Postgres restart that dead-letters nothing, and a connection the
broker closes (as on a broker restart) after which consuming resumes."""

from __future__ import annotations

import asyncio
import subprocess
import uuid
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, ClassVar

import aio_pika
import asyncpg
import pytest
import pytest_asyncio
from aio_pika.abc import AbstractRobustConnection
from prometheus_client import REGISTRY

from cognive_contracts.envelope import (
    CONTENT_TYPE_BATCH,
    CONTENT_TYPE_SINGLE,
    CloudEvent,
    dataschema_for,
    encode_batch,
    encode_single,
)
from cognive_contracts.events.base import EventPayload
from cognive_contracts.topology import TopologyManifest
from cognive_runtime.amqp import connect_amqp, queue_depths
from cognive_runtime.amqp.content_encoding import ZSTD, encode_body
from cognive_runtime.consumer import (
    Consumer,
    DlqMessage,
    DlqTarget,
    Inbound,
    PoisonEvent,
    RetryPolicy,
    read_dlq,
)
from cognive_runtime.testing import SchemaFactory, TestSchema, wait_until
from cognive_runtime.testing.servers import postgres_cluster

pytestmark = pytest.mark.integration

SERVICE = "cost"
QUEUE = "cost.llm_calls"
KEY = "consumertest.widget.made.v1"


class WidgetMadeV1(EventPayload):
    event_type: ClassVar[str] = KEY
    widget: str
    size: int


def widget(name: str, size: int = 1, key: str = KEY, data: Any = None) -> CloudEvent:
    return CloudEvent(
        id=uuid.uuid4(),
        source="/cognive/test",
        type=f"cognive.{key}",
        subject=f"widget-{name}",
        time=datetime.now(UTC),
        dataschema=dataschema_for(key),
        data=data if data is not None else {"widget": name, "size": size},
        traceparent="00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01",
    )


async def on_widgets(conn: asyncpg.Connection, events: Sequence[Inbound[WidgetMadeV1]]) -> None:
    for event in events:
        if event.payload.widget == "reject":
            raise PoisonEvent("widget_rejected", f"widget {event.event_id} can never be made")
        if event.payload.widget == "boom":
            raise RuntimeError("handler bug")
    await conn.execute(
        "INSERT INTO widgets (event_id, widget, size)"
        " SELECT * FROM unnest($1::uuid[], $2::text[], $3::int[])",
        [e.event_id for e in events],
        [e.payload.widget for e in events],
        [e.payload.size for e in events],
    )


@dataclass
class Harness:
    schema: TestSchema
    connection: AbstractRobustConnection
    queue: str
    dlq: DlqTarget

    def consumer(self, **kwargs: Any) -> Consumer:
        return Consumer(
            service=SERVICE,
            pool=self.schema.pool,
            connection=self.connection,
            queue=self.queue,
            dlq=self.dlq,
            routes={KEY: (WidgetMadeV1, on_widgets)},
            **kwargs,
        )

    async def publish(
        self, body: bytes, content_type: str, content_encoding: str | None = None
    ) -> None:
        channel = await self.connection.channel(publisher_confirms=True)
        try:
            await channel.default_exchange.publish(
                aio_pika.Message(
                    body, content_type=content_type, content_encoding=content_encoding
                ),
                routing_key=self.queue,
            )
        finally:
            await channel.close()

    async def publish_events(self, events: list[CloudEvent]) -> None:
        if len(events) == 1:
            await self.publish(encode_single(events[0]), CONTENT_TYPE_SINGLE)
        else:
            await self.publish(encode_batch(events), CONTENT_TYPE_BATCH)

    async def applied(self) -> list[tuple[uuid.UUID, str]]:
        rows = await self.schema.pool.fetch("SELECT event_id, widget FROM widgets")
        return [(r[0], r[1]) for r in rows]

    async def applied_count(self) -> int:
        try:
            count: int = await self.schema.pool.fetchval("SELECT count(*) FROM widgets")
        except (OSError, asyncpg.PostgresError, asyncpg.InterfaceError):
            return -1  # Postgres restarting under the test too
        return count

    async def dlq_messages(self) -> list[DlqMessage]:
        return await read_dlq(self.connection, self.dlq.queue)

    async def depth(self) -> int:
        return (await queue_depths(self.connection, [self.queue]))[self.queue]


@pytest_asyncio.fixture
async def harness(
    schemas: SchemaFactory,
    amqp_connection: AbstractRobustConnection,
    clean_queues: TopologyManifest,
) -> Harness:
    schema = await schemas.create("consumer")
    await schema.pool.execute(
        # No unique key on purpose: a double apply must show up as a second row.
        "CREATE TABLE widgets (event_id uuid NOT NULL, widget text NOT NULL, size int NOT NULL)"
    )
    return Harness(
        schema=schema,
        connection=amqp_connection,
        queue=clean_queues.service(SERVICE).queues[0].name,
        dlq=DlqTarget.from_manifest(clean_queues, SERVICE),
    )


@pytest_asyncio.fixture
async def running(harness: Harness) -> AsyncIterator[Consumer]:
    consumer = harness.consumer(prefetch=16)
    stop = asyncio.Event()
    task = asyncio.create_task(consumer.run(stop))
    yield consumer
    stop.set()
    await asyncio.wait_for(task, 60)


def counter(queue: str, outcome: str) -> float:
    value = REGISTRY.get_sample_value(
        "cognive_consumer_events_total", {"service": SERVICE, "queue": queue, "outcome": outcome}
    )
    return value or 0.0


async def test_batch_applied_once_and_redelivery_is_a_duplicate(
    harness: Harness, running: Consumer
) -> None:
    events = [widget(f"w{i}", i) for i in range(50)]
    body = encode_batch(events)
    duplicates_before = counter(harness.queue, "duplicate")
    await harness.publish(body, CONTENT_TYPE_BATCH)
    await wait_until(lambda: _count_is(harness, 50), timeout=30, message="batch applied")
    await harness.publish(body, CONTENT_TYPE_BATCH)
    await wait_until(
        lambda: counter(harness.queue, "duplicate") - duplicates_before >= 50,
        timeout=30,
        message="second copy counted as duplicates",
    )
    rows = await harness.applied()
    assert sorted(r[0] for r in rows) == sorted(e.id for e in events)
    inbox = await harness.schema.pool.fetchval(
        "SELECT count(*) FROM inbox WHERE queue = $1", harness.queue
    )
    assert inbox == 50
    assert await harness.dlq_messages() == []
    await wait_until(lambda: _depth_is(harness, 0), timeout=30, message="queue drained")


async def test_poison_events_are_split_out_of_a_batch(harness: Harness, running: Consumer) -> None:
    good = [widget(f"g{i}") for i in range(4)]
    bad_payload = widget("bad", data={"widget": "bad", "size": "huge"})
    unknown = widget("u", key="consumertest.gadget.made.v1")
    rejected = widget("reject")
    crashing = widget("boom")
    batch = [good[0], bad_payload, good[1], unknown, rejected, good[2], crashing, good[3]]
    # By hand: a well-behaved encoder refuses a batch of mixed types, a broken producer not.
    body = b"[" + b",".join(encode_single(e) for e in batch) + b"]"
    await harness.publish(body, CONTENT_TYPE_BATCH)
    later = [widget(f"later{i}") for i in range(3)]
    await harness.publish_events(later)

    await wait_until(lambda: _count_is(harness, 7), timeout=30, message="good events applied")
    await wait_until(lambda: _dlq_size_is(harness, 4), timeout=30, message="poison in the DLQ")
    applied = await harness.applied()
    assert sorted(r[0] for r in applied) == sorted(e.id for e in good + later)

    dead = await harness.dlq_messages()
    by_id = {m.event_id: m for m in dead}
    assert set(by_id) == {str(e.id) for e in (bad_payload, unknown, rejected, crashing)}
    expected = {
        bad_payload.id: "invalid_payload",
        unknown.id: "unknown_type",
        rejected.id: "domain_rejected",
        crashing.id: "handler_error",
    }
    for event_id, reason in expected.items():
        message = by_id[str(event_id)]
        assert message.reason == reason
        # The offending event alone, as a single CloudEvent.
        assert message.content_type == CONTENT_TYPE_SINGLE
        assert CloudEvent.model_validate_json(message.body).id == event_id
        assert message.headers["x-cognive-queue"] == harness.queue
        assert message.headers["x-cognive-routing-key"] == harness.queue
        assert "x-cognive-failed-at" in message.headers
    assert "widget_rejected" in (by_id[str(rejected.id)].detail or "")
    assert "RuntimeError" in (by_id[str(crashing.id)].detail or "")
    await wait_until(lambda: _depth_is(harness, 0), timeout=30, message="queue drained")


async def test_a_compressed_batch_is_applied(harness: Harness, running: Consumer) -> None:
    batch = [widget(f"z{i}") for i in range(20)]
    body, encoding = encode_body(encode_batch(batch), ZSTD)
    await harness.publish(body, CONTENT_TYPE_BATCH, encoding)
    await wait_until(lambda: _count_is(harness, 20), timeout=30, message="batch applied")
    assert sorted(r[0] for r in await harness.applied()) == sorted(e.id for e in batch)
    assert await harness.dlq_messages() == []


@pytest.mark.parametrize(
    ("encoding", "body", "reason", "detail"),
    [
        (None, b"{this is not json", "invalid_json", ""),
        ("zstd", encode_body(b"{this is not json", ZSTD)[0], "invalid_json", ""),
        ("zstd", b"\x28\xb5\x2f\xfd garbage", "invalid_encoding", "zstd"),
        ("gzip", b"\x1f\x8b plausible gzip", "invalid_encoding", "content-encoding 'gzip'"),
    ],
)
async def test_an_unreadable_body_goes_to_the_dlq_whole_as_it_came(
    harness: Harness,
    running: Consumer,
    encoding: str | None,
    body: bytes,
    reason: str,
    detail: str,
) -> None:
    await harness.publish(body, CONTENT_TYPE_BATCH, encoding)
    after = widget("after")
    await harness.publish_events([after])
    await wait_until(lambda: _count_is(harness, 1), timeout=30, message="next message applied")
    await wait_until(lambda: _dlq_size_is(harness, 1), timeout=30, message="poison in the DLQ")
    [dead] = await harness.dlq_messages()
    assert dead.reason == reason
    assert detail in (dead.detail or "")
    # Kept as it came, encoding included: whoever redrives it gets the same message back.
    assert dead.body == body
    assert dead.content_encoding == encoding
    assert dead.event_id is None
    assert dead.content_type == CONTENT_TYPE_BATCH
    await wait_until(lambda: _depth_is(harness, 0), timeout=30, message="queue drained")


async def test_stop_finishes_delivered_messages(harness: Harness) -> None:
    batches = [[widget(f"s{n}-{i}") for i in range(10)] for n in range(40)]
    for batch in batches:
        await harness.publish_events(batch)
    consumer = harness.consumer(prefetch=20)
    stop = asyncio.Event()
    task = asyncio.create_task(consumer.run(stop))
    await wait_until(lambda: _count_at_least(harness, 10), timeout=30, message="consuming")
    stop.set()
    await asyncio.wait_for(task, 60)
    # Whatever was delivered was applied and acked; the rest is still in the queue.
    applied = await harness.applied_count()
    assert applied % 10 == 0
    assert await harness.depth() == 40 - applied // 10

    second_stop = asyncio.Event()
    second = asyncio.create_task(harness.consumer(prefetch=20).run(second_stop))
    await wait_until(lambda: _count_is(harness, 400), timeout=60, message="rest applied")
    second_stop.set()
    await asyncio.wait_for(second, 60)
    rows = await harness.applied()
    assert len({r[0] for r in rows}) == len(rows) == 400


@pytest.mark.slow
async def test_postgres_restart_dead_letters_nothing(harness: Harness) -> None:
    version, cluster = postgres_cluster()
    consumer = harness.consumer(
        prefetch=8, retry=RetryPolicy(hold_budget_s=120.0, initial_wait_s=0.05, max_wait_s=1.0)
    )
    stop = asyncio.Event()
    task = asyncio.create_task(consumer.run(stop))
    messages, per_message = 300, 20
    events = [[widget(f"r{n}-{i}", i) for i in range(per_message)] for n in range(messages)]

    async def publish_stream() -> None:
        for batch in events:
            await harness.publish_events(batch)
            await asyncio.sleep(0.01)

    publisher = asyncio.create_task(publish_stream())
    retries_before = (
        REGISTRY.get_sample_value(
            "cognive_consumer_infrastructure_retries_total",
            {"service": SERVICE, "queue": harness.queue},
        )
        or 0.0
    )
    await wait_until(lambda: _count_at_least(harness, 500), timeout=60, message="consuming")
    restart = await asyncio.create_subprocess_exec(
        "pg_ctlcluster",
        "--skip-systemctl-redirect",
        version,
        cluster,
        "restart",
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    _out, err = await restart.communicate()
    assert restart.returncode == 0, err.decode()
    await publisher
    total = messages * per_message
    await wait_until(
        lambda: _count_is(harness, total), timeout=180, message="every event applied after restart"
    )
    stop.set()
    await asyncio.wait_for(task, 60)

    rows = await harness.applied()
    assert len(rows) == total
    assert {r[0] for r in rows} == {e.id for batch in events for e in batch}
    assert await harness.dlq_messages() == []
    assert await harness.depth() == 0
    retries_after = (
        REGISTRY.get_sample_value(
            "cognive_consumer_infrastructure_retries_total",
            {"service": SERVICE, "queue": harness.queue},
        )
        or 0.0
    )
    # The restart landed while the consumer was busy: it held and retried.
    assert retries_after > retries_before


async def _close_from_broker(connection_name: str) -> None:
    """What a broker restart does to each client: the broker closes the connection."""
    listed = await asyncio.create_subprocess_exec(
        "rabbitmqctl", "-q", "list_connections", "pid", "client_properties",
        stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    out, _ = await listed.communicate()
    pids = [
        line.split("\t", 1)[0]
        for line in out.decode().splitlines()
        if f'{{"connection_name","{connection_name}"}}' in line
    ]
    assert len(pids) == 1, out.decode()[-2000:]
    closed = await asyncio.create_subprocess_exec(
        "rabbitmqctl", "-q", "close_connection", pids[0], "test: broker restart",
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
    )  # fmt: skip
    _, err = await closed.communicate()
    assert closed.returncode == 0, err.decode()


@pytest.mark.slow
async def test_consuming_resumes_after_the_broker_closes_the_connection(
    harness: Harness, amqp_url: str
) -> None:
    name = f"consumer-test-{uuid.uuid4().hex[:8]}"
    connection = await connect_amqp(amqp_url, name=name)
    consumer = Consumer(
        service=SERVICE,
        pool=harness.schema.pool,
        connection=connection,
        queue=harness.queue,
        dlq=harness.dlq,
        routes={KEY: (WidgetMadeV1, on_widgets)},
    )
    stop = asyncio.Event()
    task = asyncio.create_task(consumer.run(stop))
    try:
        await harness.publish_events([widget(f"before{i}") for i in range(5)])
        await wait_until(lambda: _count_is(harness, 5), timeout=30, message="consuming")
        await _close_from_broker(name)
        await harness.publish_events([widget(f"after{i}") for i in range(5)])
        # The robust connection comes back (5 s) and must bring the subscription with it.
        await wait_until(lambda: _count_is(harness, 10), timeout=60, message="consuming again")
    finally:
        stop.set()
        await asyncio.wait_for(task, 30)
        await connection.close()
    assert await harness.dlq_messages() == []


async def _count_is(harness: Harness, n: int) -> bool:
    return await harness.applied_count() == n


async def _count_at_least(harness: Harness, n: int) -> bool:
    return await harness.applied_count() >= n


async def _dlq_size_is(harness: Harness, n: int) -> bool:
    return len(await harness.dlq_messages()) == n


async def _depth_is(harness: Harness, n: int) -> bool:
    return await harness.depth() == n
