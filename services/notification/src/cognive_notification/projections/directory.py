"""Channels and subscriptions read models (projections "channels", "subscriptions")."""

from __future__ import annotations

from collections.abc import Sequence

import asyncpg

from cognive_contracts.events.notification import (
    ChannelCreatedV1,
    ChannelDisabledV1,
    ChannelUpdatedV1,
    SubscriptionCreatedV1,
    SubscriptionDeletedV1,
)
from cognive_runtime.eventlog import RecordedEvent
from cognive_runtime.projections import TableNames


class ChannelsProjection:
    name = "channels"
    tables = ("channels",)
    types = frozenset(
        {ChannelCreatedV1.event_type, ChannelUpdatedV1.event_type, ChannelDisabledV1.event_type}
    )

    async def apply(
        self, conn: asyncpg.Connection, events: Sequence[RecordedEvent], tables: TableNames
    ) -> None:
        t = tables["channels"]
        for e in events:
            d = e.data
            if e.type == ChannelCreatedV1.event_type:
                await conn.execute(
                    f"INSERT INTO {t} (channel_id, team_id, kind, name, target, created_at,"
                    " updated_at) VALUES ($1, $2, $3, $4, $5, $6, $6)"
                    " ON CONFLICT (channel_id) DO NOTHING",
                    d["channel_id"],
                    d["team_id"],
                    d["kind"],
                    d["name"],
                    d.get("target"),
                    e.recorded_at,
                )
            elif e.type == ChannelUpdatedV1.event_type:
                await conn.execute(
                    f"UPDATE {t} SET name = $2, target = $3, disabled = false,"
                    " disabled_reason = NULL, updated_at = $4 WHERE channel_id = $1",
                    d["channel_id"],
                    d["name"],
                    d.get("target"),
                    e.recorded_at,
                )
            else:
                await conn.execute(
                    f"UPDATE {t} SET disabled = true, disabled_reason = $2, updated_at = $3"
                    " WHERE channel_id = $1",
                    d["channel_id"],
                    d["reason"],
                    e.recorded_at,
                )


class SubscriptionsProjection:
    name = "subscriptions"
    tables = ("subscriptions",)
    types = frozenset({SubscriptionCreatedV1.event_type, SubscriptionDeletedV1.event_type})

    async def apply(
        self, conn: asyncpg.Connection, events: Sequence[RecordedEvent], tables: TableNames
    ) -> None:
        t = tables["subscriptions"]
        for e in events:
            d = e.data
            if e.type == SubscriptionCreatedV1.event_type:
                await conn.execute(
                    f"INSERT INTO {t} (subscription_id, channel_id, team_id, event_types,"
                    " filter_team_ids, filter_agent_ids, created_at)"
                    " VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT DO NOTHING",
                    d["subscription_id"],
                    d["channel_id"],
                    d["team_id"],
                    d["event_types"],
                    d.get("filter_team_ids", []),
                    d.get("filter_agent_ids", []),
                    e.recorded_at,
                )
            else:
                await conn.execute(
                    f"DELETE FROM {t} WHERE subscription_id = $1", d["subscription_id"]
                )
