"""Hourly and daily cost per agent, team, provider and model (projection "rollups"):
priced calls add their total, repricings their delta; unpriced calls add nothing until
they are priced."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import UTC, datetime

import asyncpg

from cognive_contracts.events.cost import LlmCallPricedV1, LlmCallRepricedV1
from cognive_runtime.eventlog import RecordedEvent
from cognive_runtime.projections import TableNames

Key = tuple[datetime, str, str, str, str]

_UPSERT = """
INSERT INTO {t} AS r (bucket, agent_id, team_id, provider, model, total_micros, calls,
    input_tokens, output_tokens)
SELECT * FROM unnest($1::timestamptz[], $2::text[], $3::text[], $4::text[], $5::text[],
    $6::bigint[], $7::bigint[], $8::bigint[], $9::bigint[])
ON CONFLICT (bucket, agent_id, team_id, provider, model) DO UPDATE SET
    total_micros = r.total_micros + excluded.total_micros,
    calls = r.calls + excluded.calls,
    input_tokens = r.input_tokens + excluded.input_tokens,
    output_tokens = r.output_tokens + excluded.output_tokens
"""


_UPSERT_TM = """
INSERT INTO {t} AS r (bucket, team_id, provider, model, total_micros, calls, input_tokens,
    output_tokens)
SELECT * FROM unnest($1::timestamptz[], $2::text[], $3::text[], $4::text[], $5::bigint[],
    $6::bigint[], $7::bigint[], $8::bigint[])
ON CONFLICT (bucket, team_id, provider, model) DO UPDATE SET
    total_micros = r.total_micros + excluded.total_micros,
    calls = r.calls + excluded.calls,
    input_tokens = r.input_tokens + excluded.input_tokens,
    output_tokens = r.output_tokens + excluded.output_tokens
"""


def hour(at: datetime) -> datetime:
    return at.astimezone(UTC).replace(minute=0, second=0, microsecond=0)


def day(at: datetime) -> datetime:
    return at.astimezone(UTC).replace(hour=0, minute=0, second=0, microsecond=0)


class RollupsProjection:
    name = "rollups"
    tables = ("cost_hourly", "cost_daily", "cost_hourly_tm")
    types = frozenset({LlmCallPricedV1.event_type, LlmCallRepricedV1.event_type})

    async def apply(
        self, conn: asyncpg.Connection, events: Sequence[RecordedEvent], tables: TableNames
    ) -> None:
        hourly: dict[Key, list[int]] = defaultdict(lambda: [0, 0, 0, 0])
        daily: dict[Key, list[int]] = defaultdict(lambda: [0, 0, 0, 0])
        by_team_model: dict[tuple[datetime, str, str, str], list[int]] = defaultdict(
            lambda: [0, 0, 0, 0]
        )
        for e in events:
            # The stored JSON as written by cost (validated then): no model per call here.
            d = e.data
            if e.type == LlmCallPricedV1.event_type:
                usage = d["usage"]
                tokens = usage.get("input_tokens", 0), usage.get("output_tokens", 0)
                add = (d["total_micros"], 1, *tokens)
            else:
                add = (d["delta_micros"], 0, 0, 0)
            at = datetime.fromisoformat(d["occurred_at"])
            agent, team, provider, model = (
                d["agent_id"],
                d.get("team_id"),
                d["provider"],
                d["model"],
            )
            for rows, bucket in ((hourly, hour(at)), (daily, day(at))):
                acc = rows[(bucket, agent, team or "", provider, model)]
                for i, v in enumerate(add):
                    acc[i] += v
            narrow = by_team_model[(hour(at), team or "", provider, model)]
            for i, v in enumerate(add):
                narrow[i] += v
        for table, rows in (("cost_hourly", hourly), ("cost_daily", daily)):
            if not rows:
                continue
            keys = sorted(rows)
            await conn.execute(
                _UPSERT.format(t=tables[table]),
                *([k[i] for k in keys] for i in range(5)),
                *([rows[k][i] for k in keys] for i in range(4)),
            )
        if by_team_model:
            keys_tm = sorted(by_team_model)
            await conn.execute(
                _UPSERT_TM.format(t=tables["cost_hourly_tm"]),
                *([k[i] for k in keys_tm] for i in range(4)),
                *([by_team_model[k][i] for k in keys_tm] for i in range(4)),
            )
