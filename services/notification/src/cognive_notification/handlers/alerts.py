"""Alert events → one pending delivery per subscribed channel, in the inbox transaction.

The delivery id is derived from (event, channel), so it is the same `webhook-id` on
every attempt and for any redelivery of the event; the unique keys on (event, channel)
and (dedup key, channel) make a second delivery impossible rather than unlikely."""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from typing import Any

import asyncpg
import orjson

from cognive_contracts.envelope import CloudEvent
from cognive_contracts.events.budget import (
    BudgetCallBlockedV1,
    BudgetExceededV1,
    BudgetThresholdCrossedV1,
)
from cognive_contracts.events.ingest import PolicyViolatedV1
from cognive_notification.domain.dedup import dedup_key
from cognive_notification.domain.matching import SubscriptionView, reached
from cognive_notification.metrics import DELIVERIES_CREATED
from cognive_runtime.consumer import Route
from cognive_runtime.consumer.types import Inbound

_NAMESPACE = uuid.UUID("6f1c8c55-2f0e-4d7e-9a3b-5e0f4b1d2c77")


def delivery_id(event_id: uuid.UUID, channel_id: str) -> str:
    return "msg_" + uuid.uuid5(_NAMESPACE, f"{event_id}|{channel_id}").hex


async def on_alert(conn: asyncpg.Connection, events: Sequence[Inbound[Any]]) -> None:
    subs = [
        SubscriptionView(
            r["subscription_id"],
            r["channel_id"],
            r["team_id"],
            tuple(r["event_types"]),
            tuple(r["filter_team_ids"]),
            tuple(r["filter_agent_ids"]),
        )
        for r in await conn.fetch(
            "SELECT s.* FROM subscriptions s JOIN channels c USING (channel_id)"
            " WHERE NOT c.disabled"
        )
    ]
    rows = []
    for inbound in events:
        envelope = inbound.envelope
        if not isinstance(envelope, CloudEvent):
            raise TypeError("alert routes read raw envelopes (Route.raw_envelope)")
        event_type = envelope.routing_key
        data = envelope.data
        key = dedup_key(event_type, data, str(envelope.id))
        body = orjson.dumps(envelope.model_dump(mode="json", exclude_none=True)).decode()
        seen: set[str] = set()
        for sub in reached(subs, event_type, data):
            if sub.channel_id in seen:
                continue
            seen.add(sub.channel_id)
            rows.append(
                (
                    delivery_id(envelope.id, sub.channel_id),
                    envelope.id,
                    event_type,
                    sub.channel_id,
                    sub.subscription_id,
                    data.get("team_id") or sub.team_id,
                    key,
                    body,
                )
            )
    if rows:
        created = await conn.fetch(
            """INSERT INTO deliveries (delivery_id, event_id, event_type, channel_id,
                subscription_id, team_id, dedup_key, cloudevent, status, next_attempt_at,
                created_at, updated_at)
            SELECT d, e, t, c, s, tm, k, b::jsonb, 'pending', now(), now(), now()
            FROM unnest($1::text[], $2::uuid[], $3::text[], $4::text[], $5::text[],
                $6::text[], $7::text[], $8::text[]) AS u(d, e, t, c, s, tm, k, b)
            ON CONFLICT DO NOTHING
            RETURNING delivery_id""",
            *([r[i] for r in rows] for i in range(8)),
        )
        DELIVERIES_CREATED.inc(len(created))


def alert_handlers() -> Mapping[str, Route]:
    # Raw envelopes: a delivery carries the event as budget or ingest wrote it, fields
    # this version of notification does not know included.
    return {
        t.event_type: Route(t, on_alert, raw_envelope=True)
        for t in (BudgetThresholdCrossedV1, BudgetExceededV1, BudgetCallBlockedV1, PolicyViolatedV1)
    }
