"""The queue consumer (ARCHITECTURE §2-3): decode → inbox → handler → commit → ack.

Messages of one queue are processed in order (prefetch only buffers). The messages already
waiting in the buffer when one is taken are applied with it as a group: one transaction,
one multi-row inbox insert, one handler call per run of one event type, one commit, one
multiple ack, because per-message work done per batch is what makes the hop fast (a commit
is an fsync). Poison is published to the DLQ by the consumer itself; infrastructure
trouble holds the group and retries it, never nacks (see `retry`).

Wiring in a service's bootstrap:

    consumer = Consumer.from_settings(
        settings, pool, connection, queue="cost.llm_calls",
        routes={"ingest.llm_call.recorded.v1": Route(LlmCallRecordedV1, on_llm_call)},
    )
    loops = LoopGroup([relay, consumer, ...])
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Mapping
from typing import Any, NamedTuple

import aio_pika
import asyncpg
import structlog
from aio_pika.abc import (
    AbstractConnection,
    AbstractExchange,
    AbstractIncomingMessage,
)
from opentelemetry import propagate, trace

from cognive_contracts.events.base import EventPayload
from cognive_contracts.topology import load_manifest
from cognive_runtime.consumer.applier import Applier, Route
from cognive_runtime.consumer.decoding import (
    Decoded,
    PoisonItem,
    decode_message,
)
from cognive_runtime.consumer.dlq import DlqTarget, publish_poison_items
from cognive_runtime.consumer.retry import (
    HoldExhausted,
    RetryPolicy,
    breaks_connections,
    hold_and_retry,
    is_infrastructure,
)
from cognive_runtime.consumer.types import Handler
from cognive_runtime.metrics import CONSUMER_EVENTS, CONSUMER_RETRIES, HANDLER_LATENCY
from cognive_runtime.settings import ServiceSettings

log = structlog.get_logger(__name__)
tracer = trace.get_tracer("cognive_runtime.consumer")


class _Outcome(NamedTuple):
    applied: int
    duplicates: int
    poison: int


class _Message(NamedTuple):
    message: AbstractIncomingMessage
    decoded: Decoded
    routing_key: str


class Consumer:
    """Consumes one queue of one service. Runs in every replica (the inbox makes that
    safe); implements the `Loop` protocol."""

    def __init__(
        self,
        *,
        service: str,
        pool: asyncpg.Pool,
        connection: AbstractConnection,
        queue: str,
        dlq: DlqTarget,
        routes: Mapping[str, Route | tuple[type[EventPayload], Handler]],
        prefetch: int = 32,
        retry: RetryPolicy | None = None,
        max_group_messages: int | None = None,
        max_group_events: int = 2_000,
    ) -> None:
        self.name = f"consumer:{queue}"
        self.service = service
        self.pool = pool
        self.connection = connection
        self.queue = queue
        self.dlq = dlq
        self.routes = {key: Route(*route) for key, route in routes.items()}
        self._models = {key: route.model for key, route in self.routes.items()}
        self._typed = {key for key, route in self.routes.items() if not route.raw_envelope}
        self.prefetch = prefetch
        self.retry = retry or RetryPolicy()
        self.applier = Applier(pool, queue, self.routes, self.retry.acquire_timeout_s)
        # Messages already waiting in the buffer are applied together (one commit is an
        # fsync: per message it would cap a queue at a few hundred messages a second).
        self.max_group_messages = max_group_messages or prefetch
        self.max_group_events = max_group_events
        self._applied = CONSUMER_EVENTS.labels(service, queue, "applied")
        self._duplicate = CONSUMER_EVENTS.labels(service, queue, "duplicate")
        self._poison = CONSUMER_EVENTS.labels(service, queue, "poison")
        self._retries = CONSUMER_RETRIES.labels(service, queue)
        self._latency = HANDLER_LATENCY.labels(service, queue)
        self._span_name = f"{queue} process"

    @classmethod
    def from_settings(
        cls,
        settings: ServiceSettings,
        pool: asyncpg.Pool,
        connection: AbstractConnection,
        *,
        queue: str,
        routes: Mapping[str, Route | tuple[type[EventPayload], Handler]],
    ) -> Consumer:
        """`queue` is the manifest name (e.g. "cost.llm_calls"); the prefix is applied."""
        manifest = load_manifest().with_prefix(settings.amqp_prefix)
        return cls(
            service=settings.service,
            pool=pool,
            connection=connection,
            queue=settings.amqp_prefix + queue,
            dlq=DlqTarget.from_manifest(manifest, settings.service),
            routes=routes,
            prefetch=settings.consumer_prefetch,
            retry=RetryPolicy(
                hold_budget_s=settings.consumer_hold_budget_s,
                max_wait_s=settings.consumer_retry_max_wait_s,
            ),
        )

    # ------------------------------------------------------------------ the loop

    async def run(self, stop: asyncio.Event) -> None:
        """Consume until `stop` is set; then cancel the subscription, finish the messages
        already delivered, ack, and return. Raises `HoldExhausted` after closing the
        channel when infrastructure trouble outlasts the hold budget."""
        channel = await self.connection.channel()
        publish_channel = await self.connection.channel(
            publisher_confirms=True, on_return_raises=True
        )
        buffer: asyncio.Queue[AbstractIncomingMessage | None] = asyncio.Queue()

        async def deliver(message: AbstractIncomingMessage) -> None:
            buffer.put_nowait(message)

        async def signal_stop() -> None:
            await stop.wait()
            buffer.put_nowait(None)

        watcher = asyncio.create_task(signal_stop())
        try:
            await channel.set_qos(prefetch_count=self.prefetch)
            # A passive declare, not `get_queue(ensure=False)`: only queues the robust
            # channel declared itself are restored, with their consumers, when the
            # connection comes back after a broker restart.
            queue = await channel.declare_queue(self.queue, passive=True)
            dlx = await publish_channel.get_exchange(self.dlq.exchange, ensure=False)
            tag = await queue.consume(deliver)
            log.info("consumer.started", queue=self.queue, prefetch=self.prefetch)
            held, stopping = False, False
            while not held and not stopping:
                first = await buffer.get()
                if first is None:
                    break
                group, stopping = self._take_group(first, buffer)
                held = not await self._handle(group, dlx, stop)
            with contextlib.suppress(aio_pika.exceptions.AMQPError, TimeoutError):
                await queue.cancel(tag)
            # Deliveries that arrived before the cancel are ours: finish them rather than
            # hand them back (a requeue counts toward the delivery limit on 3.10). After a
            # message left unacked nothing more is acked: a multiple ack would cover it.
            while not held and not buffer.empty():
                first = buffer.get_nowait()
                if first is not None:
                    group, _ = self._take_group(first, buffer)
                    held = not await self._handle(group, dlx, stop)
            log.info("consumer.stopped", queue=self.queue, left_unacked=held)
        finally:
            watcher.cancel()
            for ch in (channel, publish_channel):
                with contextlib.suppress(Exception):
                    await ch.close()

    def _take_group(
        self,
        first: AbstractIncomingMessage,
        buffer: asyncio.Queue[AbstractIncomingMessage | None],
    ) -> tuple[list[_Message], bool]:
        """The first message and those already waiting behind it, decoded, up to the group
        limits: they share one transaction (one commit, one fsync) and one multiple ack.
        True as second value when the stop sentinel was met."""
        group = [self._decode(first)]
        events = len(group[0].decoded.items)
        while (
            not buffer.empty()
            and len(group) < self.max_group_messages
            and events < self.max_group_events
        ):
            message = buffer.get_nowait()
            if message is None:
                return group, True
            group.append(self._decode(message))
            events += len(group[-1].decoded.items)
        return group, False

    def _decode(self, message: AbstractIncomingMessage) -> _Message:
        routing_key = message.routing_key or ""
        typed = routing_key if routing_key in self._typed else None
        decoded = decode_message(
            message.body,
            message.content_type or "",
            self._models,
            typed,
            content_encoding=message.content_encoding,
        )
        return _Message(message, decoded, routing_key)

    async def _handle(
        self, group: list[_Message], dlx: AbstractExchange, stop: asyncio.Event
    ) -> bool:
        """Process and ack a group of messages; False when it was left unacked because of
        `stop`."""
        started = time.perf_counter()

        async def attempt() -> _Outcome:
            # A coroutine function, not a lambda: tenacity runs lambdas as sync callables.
            return await self._attempt(group, dlx)

        with self._span(group):
            try:
                outcome = await hold_and_retry(
                    attempt,
                    stop=stop,
                    hold_budget_s=self.retry.hold_budget_s,
                    initial_wait_s=self.retry.initial_wait_s,
                    max_wait_s=self.retry.max_wait_s,
                    on_retry=self._on_retry,
                )
            except Exception as exc:
                if not is_infrastructure(exc):
                    raise
                if stop.is_set():
                    log.warning("consumer.stopped_while_holding", queue=self.queue, error=repr(exc))
                    return False
                log.critical(
                    "consumer.hold_exhausted",
                    queue=self.queue,
                    hold_budget_s=self.retry.hold_budget_s,
                    error=repr(exc),
                    message_ids=[m.message.message_id for m in group],
                )
                raise HoldExhausted(
                    f"{self.queue}: infrastructure trouble outlasted the hold budget"
                ) from exc
        self._latency.observe(time.perf_counter() - started)
        self._applied.inc(outcome.applied)
        self._duplicate.inc(outcome.duplicates)
        self._poison.inc(outcome.poison)
        await self._ack(group)
        return True

    def _span(self, group: list[_Message]) -> Any:
        first = next((m.decoded.items[0] for m in group if m.decoded.items), None)
        traceparent = first.inbound.envelope.traceparent if first else None
        return tracer.start_as_current_span(
            self._span_name,
            context=propagate.extract({"traceparent": traceparent}) if traceparent else None,
            kind=trace.SpanKind.CONSUMER,
            attributes={
                "messaging.system": "rabbitmq",
                "messaging.destination.name": self.queue,
                "messaging.batch.message_count": len(group),
            },
        )

    async def _on_retry(self, exc: BaseException, attempt: int, wait_s: float) -> None:
        self._retries.inc()
        if breaks_connections(exc):
            # The server restarted: every idle connection of the pool is dead. Expired
            # connections are replaced on their next acquire instead of failing one by one.
            await self.pool.expire_connections()
        log.warning(
            "consumer.infrastructure_retry",
            queue=self.queue,
            attempt=attempt,
            wait_s=round(wait_s, 3),
            error=repr(exc),
        )

    # ------------------------------------------------------------------ one attempt

    async def _attempt(self, group: list[_Message], dlx: AbstractExchange) -> _Outcome:
        items = [item for m in group for item in m.decoded.items]
        applied, duplicates, failed = await self.applier.apply(items)
        poison = [(p, m.routing_key) for m in group for p in m.decoded.poison]
        if failed:
            routing_keys = {id(item): m.routing_key for m in group for item in m.decoded.items}
            poison += [
                (self.applier.rejected(item, exc), routing_keys[id(item)]) for item, exc in failed
            ]
        if poison:
            await self._publish_poison(poison, dlx)
        return _Outcome(applied, duplicates, len(poison))

    async def _publish_poison(
        self, poison: list[tuple[PoisonItem, str]], dlx: AbstractExchange
    ) -> None:
        await publish_poison_items(
            dlx,
            self.dlq,
            poison,
            service=self.service,
            queue=self.queue,
            timeout_s=self.retry.confirm_timeout_s,
        )

    # ------------------------------------------------------------------ acks

    async def _ack(self, group: list[_Message]) -> None:
        """One multiple ack per channel: every earlier delivery on it is already done,
        since messages are processed in order. (A robust channel reopened after a broker
        restart delivers on a new channel; acks on the dead one fail and the broker
        redelivers those messages, which the inbox drops.)"""
        last: dict[int, AbstractIncomingMessage] = {}
        for m in group:
            last[id(m.message.channel)] = m.message
        for message in last.values():
            try:
                await message.ack(multiple=True)
            except Exception as exc:
                log.warning("consumer.ack_lost", queue=self.queue, error=repr(exc))
