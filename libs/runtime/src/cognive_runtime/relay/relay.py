"""The relay: the service's own log → the events exchange (ARCHITECTURE §2, "the log is
the outbox").

It reads past its checkpoint in commit order (gap-free), packs consecutive same-type
events into messages, and publishes them in log order on one channel with publisher
confirms, many messages in flight. The checkpoint moves only over a prefix of messages
that are all confirmed, so a crash anywhere republishes (duplicates, which consumers'
inboxes drop) and never loses an event."""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections import deque
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import NamedTuple

import aio_pika
import asyncpg
import structlog
from aio_pika.abc import AbstractConnection, AbstractExchange

from cognive_contracts.topology import load_manifest
from cognive_runtime.amqp.content_encoding import ZSTD, ContentEncoding, encode_body
from cognive_runtime.eventlog import (
    Position,
    RecordedEvent,
    head_position,
    load_checkpoint,
    read_window,
    store_checkpoint,
)
from cognive_runtime.eventlog.signal import LogSignal, pause
from cognive_runtime.metrics import (
    RELAY_LAG_EVENTS,
    RELAY_LAG_SECONDS,
    RELAY_MESSAGES,
    RELAY_PUBLISHED,
)
from cognive_runtime.relay.encoding import EventEncoder
from cognive_runtime.relay.packing import pack
from cognive_runtime.settings import ServiceSettings

log = structlog.get_logger(__name__)

CHECKPOINT = "relay"
# The lag-in-events estimate costs a query; refreshing it once a second is plenty.
_LAG_REFRESH_S = 1.0


class _InFlight(NamedTuple):
    confirm: asyncio.Task[object]
    last: Position
    events: int


class Relay:
    """Publishes one service's log. Run it under a `LeaderLock`: one relay per log."""

    def __init__(
        self,
        *,
        pool: asyncpg.Pool,
        connection: AbstractConnection,
        exchange: str,
        service: str,
        events_per_message: int = 100,
        page_size: int = 5_000,
        max_in_flight: int = 64,
        idle_poll_s: float = 0.05,
        confirm_timeout_s: float = 30.0,
        checkpoint: str = CHECKPOINT,
        publish_delay_s: float = 0.0,
        types: Sequence[str] | None = None,
        signal: LogSignal | None = None,
        content_encoding: ContentEncoding = ZSTD,
    ) -> None:
        self.name = f"relay:{service}"
        self.pool = pool
        self.connection = connection
        self.exchange_name = exchange
        self.service = service
        self.events_per_message = events_per_message
        self.page_size = page_size
        self.max_in_flight = max_in_flight
        self.idle_poll_s = idle_poll_s
        self.signal = signal
        self.confirm_timeout_s = confirm_timeout_s
        self.checkpoint = checkpoint
        # Only tests set this: it slows publishing so that a kill lands mid-flight.
        self.publish_delay_s = publish_delay_s
        # Only the public types of the manifest leave the service: private events (a
        # service's own translations of foreign events, bookkeeping) stay in its log.
        self.types = list(types) if types else None
        self.encoder = EventEncoder(service)
        self.content_encoding = content_encoding
        self._published = RELAY_PUBLISHED.labels(service)
        self._messages = RELAY_MESSAGES.labels(service)
        self._lag_events = RELAY_LAG_EVENTS.labels(service)
        self._lag_seconds = RELAY_LAG_SECONDS.labels(service)
        self._lag_refreshed = 0.0

    @classmethod
    def from_settings(
        cls,
        settings: ServiceSettings,
        pool: asyncpg.Pool,
        connection: AbstractConnection,
        signal: LogSignal | None = None,
    ) -> Relay:
        manifest = load_manifest().with_prefix(settings.amqp_prefix)
        exchange = manifest.events_exchange.name
        return cls(
            types=manifest.service(settings.service).publishes,
            pool=pool,
            connection=connection,
            exchange=exchange,
            service=settings.service,
            events_per_message=settings.relay_events_per_message,
            page_size=settings.relay_page_size,
            max_in_flight=settings.relay_max_in_flight,
            idle_poll_s=settings.relay_idle_poll_s,
            signal=signal,
            content_encoding=settings.relay_content_encoding,
        )

    async def run(self, stop: asyncio.Event) -> None:
        """Publish until `stop` is set, then flush what was committed up to then and
        return. Raises on a nack, a confirm timeout or a lost connection: the supervisor
        restarts it from the stored checkpoint."""
        channel = await self.connection.channel(publisher_confirms=True, on_return_raises=True)
        try:
            exchange = await channel.get_exchange(self.exchange_name, ensure=False)
            await self._follow(exchange, stop)
        finally:
            with contextlib.suppress(Exception):
                await channel.close()

    async def _follow(self, exchange: AbstractExchange, stop: asyncio.Event) -> None:
        confirmed = await load_checkpoint(self.pool, self.checkpoint)
        stored = confirmed
        read_from = confirmed
        inflight: deque[_InFlight] = deque()
        flush_to: Position | None = None
        last_work = time.monotonic()
        log.info("relay.started", service=self.service, checkpoint=confirmed.global_position)
        try:
            while True:
                if stop.is_set() and flush_to is None:
                    # "Flush the relay": everything committed up to the stop, no further.
                    flush_to = await head_position(self.pool)
                if flush_to is not None and read_from >= flush_to:
                    break
                page, through = await read_window(self.pool, read_from, self.page_size, self.types)
                if not page:
                    confirmed = await self._settle(inflight, confirmed, until=0)
                    # Nothing in flight, and only private events up to `through`: the
                    # checkpoint passes them, so that they are never scanned again.
                    moved = through > read_from
                    confirmed = max(confirmed, through)
                    read_from = max(read_from, through)
                    stored = await self._store(confirmed, stored)
                    await self._refresh_lag(confirmed, None, force=False)
                    if flush_to is not None and not moved:
                        break
                    if not moved:
                        await pause(self.signal, stop, self.idle_poll_s, last_work)
                    continue
                last_work = time.monotonic()
                await self._refresh_lag(confirmed, page[0].recorded_at, force=False)
                for group in pack(page, self.events_per_message):
                    if self.publish_delay_s:
                        await asyncio.sleep(self.publish_delay_s)
                    confirmed = await self._settle(
                        inflight, confirmed, until=self.max_in_flight - 1
                    )
                    inflight.append(self._publish(exchange, group))
                read_from = through
                # Collect what is already confirmed without waiting: the next page is read
                # while the rest of this one is still in flight.
                confirmed = self._collect_done(inflight, confirmed)
                stored = await self._store(confirmed, stored)
            confirmed = await self._settle(inflight, confirmed, until=0)
            stored = await self._store(confirmed, stored)
            await self._refresh_lag(confirmed, None, force=True)
            log.info("relay.flushed", service=self.service, checkpoint=stored.global_position)
        finally:
            await _abandon(inflight)

    def _publish(self, exchange: AbstractExchange, group: list[RecordedEvent]) -> _InFlight:
        first = group[0]
        body, content_type = self.encoder.message_body(group)
        body, content_encoding = encode_body(body, self.content_encoding)
        traceparent = first.metadata.get("traceparent") if first.metadata_json != "{}" else None
        message = aio_pika.Message(
            body,
            content_type=content_type,
            content_encoding=content_encoding,
            message_id=str(first.event_id),
            type=first.type,
            app_id=self.service,
            timestamp=first.recorded_at,
            headers={"traceparent": traceparent} if isinstance(traceparent, str) else None,
            delivery_mode=aio_pika.DeliveryMode.PERSISTENT,
        )
        # Tasks start in creation order and aiormq writes frames under a FIFO lock, so the
        # broker receives the messages in log order: per-stream order is kept.
        confirm: asyncio.Task[object] = asyncio.create_task(
            exchange.publish(message, routing_key=first.type, timeout=self.confirm_timeout_s)
        )
        return _InFlight(confirm, group[-1].position, len(group))

    async def _settle(
        self, inflight: deque[_InFlight], confirmed: Position, *, until: int
    ) -> Position:
        """Wait for the oldest confirms until at most `until` messages are in flight."""
        while len(inflight) > until:
            await inflight[0].confirm  # raises on nack / timeout / channel loss
            confirmed = self._pop(inflight)
        return self._collect_done(inflight, confirmed)

    def _collect_done(self, inflight: deque[_InFlight], confirmed: Position) -> Position:
        # Only a confirmed *prefix* counts: a later confirm never moves the checkpoint past
        # an older message still in flight.
        while inflight and inflight[0].confirm.done():
            inflight[0].confirm.result()
            confirmed = self._pop(inflight)
        return confirmed

    def _pop(self, inflight: deque[_InFlight]) -> Position:
        done = inflight.popleft()
        self._published.inc(done.events)
        self._messages.inc()
        return done.last

    async def _store(self, confirmed: Position, stored: Position) -> Position:
        if confirmed != stored:
            await store_checkpoint(self.pool, self.checkpoint, confirmed)
        return confirmed

    async def _refresh_lag(
        self, confirmed: Position, oldest: datetime | None, *, force: bool
    ) -> None:
        """Lag in events is estimated from positions (commit order may differ a little);
        lag in seconds is the age of the oldest event read but not yet published."""
        self._lag_seconds.set(
            0.0 if oldest is None else max(0.0, (datetime.now(UTC) - oldest).total_seconds())
        )
        now = time.monotonic()
        if not force and now - self._lag_refreshed < _LAG_REFRESH_S:
            return
        self._lag_refreshed = now
        head = await self.pool.fetchval("SELECT max(global_position) FROM events")
        self._lag_events.set(max(0, (head or 0) - confirmed.global_position))


async def _abandon(inflight: deque[_InFlight]) -> None:
    """After a failure nothing more is confirmed: cancel and reap what is still pending."""
    for item in inflight:
        item.confirm.cancel()
    await asyncio.gather(*(item.confirm for item in inflight), return_exceptions=True)
