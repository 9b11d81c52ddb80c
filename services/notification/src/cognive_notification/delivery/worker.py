"""The delivery worker (one active replica, leader lock): sends what is due, records
every attempt, schedules retries in Postgres (no in-memory sleeps: a restart loses
nothing), gives up after the schedule, and disables a channel that keeps failing.

Sending happens outside any transaction; the outcome is recorded after. A crash between
the two sends that delivery again after the restart, with the same `webhook-id`, which
is how Standard Webhooks receivers recognise a repeat."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

import asyncpg
import orjson
import structlog

from cognive_contracts.events.notification import DeliveryFailedV1, DeliverySucceededV1
from cognive_notification.delivery.network import HttpResult
from cognive_notification.delivery.sender import Sender
from cognive_notification.domain.channels import channel_stream, disable_channel, fold_channel
from cognive_notification.domain.retry import next_attempt_at
from cognive_notification.metrics import ATTEMPT_SECONDS, DELIVERIES
from cognive_notification.settings import NotificationSettings
from cognive_runtime.commands import catch_up, execute
from cognive_runtime.eventlog import NewEvent, append_to_stream
from cognive_runtime.projections import Projection
from cognive_runtime.projections.base import pooled_connection

log = structlog.get_logger(__name__)

_DUE = """
SELECT d.delivery_id, d.event_id, d.event_type, d.channel_id, d.subscription_id, d.team_id,
       d.cloudevent, d.attempts, d.first_attempt_at, c.kind, c.disabled
FROM deliveries d JOIN channels c USING (channel_id)
WHERE d.status = 'pending' AND d.next_attempt_at <= now()
ORDER BY d.next_attempt_at
LIMIT $1
"""


class DeliveryWorker:
    name = "delivery-worker"

    def __init__(
        self,
        pool: asyncpg.Pool,
        sender: Sender,
        settings: NotificationSettings,
        views: Sequence[Projection],
    ) -> None:
        self.pool = pool
        self.sender = sender
        self.settings = settings
        self.views = views

    async def run_once(self) -> int:
        rows = await self.pool.fetch(_DUE, self.settings.worker_batch)
        if not rows:
            return 0
        gate = asyncio.Semaphore(self.settings.worker_concurrency)

        async def one(row: Any) -> None:
            async with gate:
                if row["disabled"]:
                    result = HttpResult(None, 0, "channel disabled")
                else:
                    result = await self.sender.send(
                        row["delivery_id"], row["kind"], row["channel_id"], row["cloudevent"]
                    )
                await self.record(row, result, final=bool(row["disabled"]))

        await asyncio.gather(*(one(r) for r in rows))
        return len(rows)

    async def record(self, row: Any, result: HttpResult, *, final: bool = False) -> None:
        now = datetime.now(UTC)
        attempt = row["attempts"] + 1
        first = row["first_attempt_at"] or now
        retry_at = None
        if not result.ok and not final:
            retry_at = next_attempt_at(
                attempt,
                first,
                now,
                self.settings.retry_schedule_s,
                self.settings.give_up_after_s,
            )
        status = "succeeded" if result.ok else ("pending" if retry_at else "failed")
        common = {
            "delivery_id": row["delivery_id"],
            "channel_id": row["channel_id"],
            "subscription_id": row["subscription_id"],
            "team_id": row["team_id"],
            "event_id": row["event_id"],
            "delivered_type": row["event_type"],
            "attempt": attempt,
            "status_code": result.status_code,
            "latency_ms": result.latency_ms,
            "occurred_at": now,
        }
        event = (
            DeliverySucceededV1(**common)
            if result.ok
            else DeliveryFailedV1(
                **common,
                error=result.error or "failed",
                final=retry_at is None,
                next_attempt_at=retry_at,
            )
        )
        async with pooled_connection(self.pool) as conn, conn.transaction():
            await conn.execute(
                "UPDATE deliveries SET status = $2, attempts = $3, next_attempt_at = $4,"
                " first_attempt_at = coalesce(first_attempt_at, $5), last_status_code = $6,"
                " last_error = $7, updated_at = $5 WHERE delivery_id = $1",
                row["delivery_id"],
                status,
                attempt,
                retry_at,
                now,
                result.status_code,
                result.error,
            )
            await conn.execute(
                "INSERT INTO delivery_attempts (delivery_id, attempt, at, outcome, status_code,"
                " latency_ms, error) VALUES ($1, $2, $3, $4, $5, $6, $7)"
                " ON CONFLICT DO NOTHING",
                row["delivery_id"],
                attempt,
                now,
                "succeeded" if result.ok else "failed",
                result.status_code,
                result.latency_ms,
                result.error,
            )
            await append_to_stream(
                conn,
                f"delivery-{row['delivery_id']}",
                [NewEvent(event.event_type, event)],
            )
            failing_since = await conn.fetchval(
                "INSERT INTO channel_health (channel_id, failing_since, last_success)"
                " VALUES ($1, $2, $3) ON CONFLICT (channel_id) DO UPDATE SET"
                " failing_since = CASE WHEN $3::timestamptz IS NOT NULL THEN NULL"
                "   ELSE coalesce(channel_health.failing_since, $2) END,"
                " last_success = coalesce($3, channel_health.last_success)"
                " RETURNING failing_since",
                row["channel_id"],
                None if result.ok else now,
                now if result.ok else None,
            )
        DELIVERIES.labels(row["kind"], status).inc()
        ATTEMPT_SECONDS.labels(row["kind"]).observe(result.latency_ms / 1000)
        limit = timedelta(seconds=self.settings.disable_after_s)
        if failing_since is not None and not row["disabled"] and now - failing_since >= limit:
            await self.disable_failing(row["channel_id"], row["team_id"], result)

    async def disable_failing(
        self, channel_id: str, team_id: str | None, result: HttpResult
    ) -> None:
        """Disable the channel, and tell its team through its other (e-mail) channels."""
        now = datetime.now(UTC)
        detail = f"failing since more than {self.settings.disable_after_s:.0f} s: {result.error}"
        async with pooled_connection(self.pool) as conn, conn.transaction():
            _, events = await execute(
                conn,
                channel_stream(channel_id),
                fold_channel,
                lambda current: disable_channel(current, "failing", detail, now),
                "system:delivery-worker",
            )
            if not events:
                return
            disabled = events[0]
            owners = await conn.fetch(
                "SELECT channel_id FROM channels WHERE team_id = $1 AND kind = 'email'"
                " AND NOT disabled AND channel_id <> $2",
                disabled.team_id,  # type: ignore[attr-defined]
                channel_id,
            )
            cloudevent = {
                "specversion": "1.0",
                "id": f"disabled-{channel_id}-{int(now.timestamp())}",
                "type": "cognive.notification.channel.disabled.v1",
                "source": "/cognive/notification",
                "time": now.isoformat(),
                "data": disabled.model_dump(mode="json"),
            }
            for owner in owners:
                await conn.execute(
                    "INSERT INTO deliveries (delivery_id, event_id, event_type, channel_id,"
                    " team_id, dedup_key, cloudevent, status, next_attempt_at, created_at,"
                    " updated_at) VALUES ($1, gen_random_uuid(), $2, $3, $4, $5,"
                    " $6::text::jsonb, 'pending', $7, $7, $7) ON CONFLICT DO NOTHING",
                    f"msg_disabled_{channel_id}_{owner['channel_id']}_{int(now.timestamp())}",
                    "notification.channel.disabled.v1",
                    owner["channel_id"],
                    team_id,
                    f"disabled:{channel_id}:{int(now.timestamp())}",
                    orjson.dumps(cloudevent).decode(),
                    now,
                )
        log.warning("notification.channel_disabled", channel_id=channel_id, detail=detail)
        await catch_up(self.pool, self.views)

    async def run(self, stop: asyncio.Event) -> None:
        while not stop.is_set():
            try:
                busy = await self.run_once()
            except Exception as exc:
                log.warning("notification.worker_failed", error=str(exc))
                busy = 0
            if not busy:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(stop.wait(), self.settings.worker_idle_poll_s)
