"""Applying a group of decoded events: one transaction with their inbox rows, one handler
call per run of one type; a group the handler rejects is split so that only the events
that fail alone become poison."""

from __future__ import annotations

import itertools
from collections.abc import Mapping, Sequence
from typing import NamedTuple, cast

import asyncpg
import structlog

from cognive_contracts.events.base import EventPayload
from cognive_runtime.consumer.decoding import Item, PoisonItem, Reason, item_poison
from cognive_runtime.consumer.inbox import claim
from cognive_runtime.consumer.retry import is_infrastructure
from cognive_runtime.consumer.types import Handler, PoisonEvent

log = structlog.get_logger(__name__)


class Route(NamedTuple):
    """How one routing key is handled: its payload model and the handler.

    `raw_envelope`: the handler reads `envelope.data` as it came over the wire, unknown
    fields included (it forwards the event); its messages are then read as `CloudEvent`s
    and each payload validated apart, which costs a second pass."""

    model: type[EventPayload]
    handler: Handler
    raw_envelope: bool = False


class Applier:
    def __init__(
        self,
        pool: asyncpg.Pool,
        queue: str,
        routes: Mapping[str, Route],
        acquire_timeout_s: float,
    ) -> None:
        self.pool = pool
        self.queue = queue
        self.routes = routes
        self.acquire_timeout_s = acquire_timeout_s

    async def apply(self, items: Sequence[Item]) -> tuple[int, int, list[tuple[Item, Exception]]]:
        if not items:
            return 0, 0, []
        try:
            applied, duplicates = await self.transaction(items)
            return applied, duplicates, []
        except Exception as exc:
            if is_infrastructure(exc):
                raise
            if len(items) == 1:
                return 0, 0, [(items[0], exc)]
            log.warning(
                "consumer.batch_split", queue=self.queue, events=len(items), error=repr(exc)
            )
        # One bad event must not take the others down: apply each alone; those that still
        # fail alone are poison.
        applied = duplicates = 0
        failed: list[tuple[Item, Exception]] = []
        for item in items:
            try:
                a, d = await self.transaction([item])
            except Exception as exc:
                if is_infrastructure(exc):
                    raise
                failed.append((item, exc))
            else:
                applied += a
                duplicates += d
        return applied, duplicates, failed

    async def transaction(self, items: Sequence[Item]) -> tuple[int, int]:
        """Claim the inbox rows and run the handlers on the new events, in one transaction."""
        ids = [item.inbound.event_id for item in items]
        async with self.pool.acquire(timeout=self.acquire_timeout_s) as proxy:
            conn = cast(asyncpg.Connection, proxy)
            async with conn.transaction():
                new = await claim(conn, ids, self.queue)
                fresh: list[Item] = []
                for item in items:
                    # discard: an id repeated inside one message is applied once.
                    if item.inbound.event_id in new:
                        new.discard(item.inbound.event_id)
                        fresh.append(item)
                for routing_key, group in itertools.groupby(fresh, key=lambda i: i.routing_key):
                    await self.routes[routing_key].handler(conn, [i.inbound for i in group])
        duplicates = len(items) - len(fresh)
        if duplicates:
            log.info("consumer.duplicates", queue=self.queue, events=duplicates)
        return len(fresh), duplicates

    def rejected(self, item: Item, exc: Exception) -> PoisonItem:
        if isinstance(exc, PoisonEvent):
            return item_poison(item, Reason.DOMAIN_REJECTED, str(exc))
        log.exception(
            "consumer.handler_error", queue=self.queue, event_id=str(item.inbound.event_id)
        )
        return item_poison(item, Reason.HANDLER_ERROR, repr(exc))
