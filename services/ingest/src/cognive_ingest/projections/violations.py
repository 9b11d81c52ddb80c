"""The policy-violation list: a projection of ``ingest.policy.violated.v1``."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

import asyncpg

from cognive_contracts.events.ingest import PolicyViolatedV1
from cognive_runtime.eventlog import RecordedEvent
from cognive_runtime.projections import TableNames

_INSERT = """
INSERT INTO {table} (violation_id, position, kind, agent_id, team_id, run_id, call_id, model,
                     tool, detail, occurred_at, recorded_at)
SELECT * FROM unnest($1::text[], $2::bigint[], $3::text[], $4::text[], $5::text[], $6::text[],
                     $7::text[], $8::text[], $9::text[], $10::text[], $11::timestamptz[],
                     $12::timestamptz[])
ON CONFLICT (violation_id) DO NOTHING
"""


class ViolationsProjection:
    name = "violations"
    tables = ("policy_violations",)
    types: frozenset[str] | None = frozenset({PolicyViolatedV1.event_type})

    async def apply(
        self, conn: asyncpg.Connection, events: Sequence[RecordedEvent], tables: TableNames
    ) -> None:
        columns: list[list[Any]] = [[] for _ in range(12)]
        for event in events:
            d = event.data
            row = (
                d["violation_id"],
                event.global_position,
                d["kind"],
                d["agent_id"],
                d.get("team_id"),
                d.get("run_id"),
                d.get("call_id"),
                d.get("model"),
                d.get("tool"),
                d["detail"],
                datetime.fromisoformat(d["occurred_at"]),
                event.recorded_at,
            )
            for column, value in zip(columns, row, strict=True):
                column.append(value)
        await conn.execute(_INSERT.format(table=tables["policy_violations"]), *columns)
