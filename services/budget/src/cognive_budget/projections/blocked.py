"""Blocked-call log (projection "blocked") from budget.call.blocked.v1."""

from __future__ import annotations

from collections.abc import Sequence

import asyncpg

from cognive_contracts.events.budget import BudgetCallBlockedV1
from cognive_runtime.eventlog import RecordedEvent
from cognive_runtime.projections import TableNames


class BlockedCallsProjection:
    name = "blocked"
    tables = ("blocked_calls",)
    types = frozenset({BudgetCallBlockedV1.event_type})

    async def apply(
        self, conn: asyncpg.Connection, events: Sequence[RecordedEvent], tables: TableNames
    ) -> None:
        rows = []
        for e in events:
            b = BudgetCallBlockedV1.model_validate(e.data)
            rows.append(
                (
                    b.block_id,
                    e.global_position,
                    b.policy_id,
                    b.policy_name,
                    b.team_id,
                    b.agent_id,
                    b.run_id,
                    b.model,
                    b.estimated_micros,
                    b.spent_micros,
                    b.reserved_micros,
                    b.limit_micros,
                    b.retry_after_s,
                    b.occurred_at,
                )
            )
        await conn.executemany(
            f"""INSERT INTO {tables["blocked_calls"]} (block_id, position, policy_id,
                policy_name, team_id, agent_id, run_id, model, estimated_micros, spent_micros,
                reserved_micros, limit_micros, retry_after_s, occurred_at)
            VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)
            ON CONFLICT (block_id) DO NOTHING""",
            rows,
        )
