"""Policies read model (projection "policies") from the policy streams."""

from __future__ import annotations

from collections.abc import Sequence

import asyncpg

from cognive_contracts.events.budget import (
    BudgetPeriodRolledV1,
    BudgetPolicyArchivedV1,
    BudgetPolicyDefinedV1,
    BudgetPolicyUpdatedV1,
)
from cognive_runtime.eventlog import RecordedEvent
from cognive_runtime.projections import TableNames

_STATE = (BudgetPolicyDefinedV1.event_type, BudgetPolicyUpdatedV1.event_type)


class PoliciesProjection:
    name = "policies"
    tables = ("policies",)
    types = frozenset(
        {
            *_STATE,
            BudgetPolicyArchivedV1.event_type,
            BudgetPeriodRolledV1.event_type,
        }
    )

    async def apply(
        self, conn: asyncpg.Connection, events: Sequence[RecordedEvent], tables: TableNames
    ) -> None:
        t = tables["policies"]
        for e in events:
            d = e.data
            if e.type in _STATE:
                await conn.execute(
                    f"""INSERT INTO {t} (policy_id, name, scope_kind, scope_id, team_id, period,
                        timezone, limit_micros, mode, thresholds, created_at, updated_at,
                        stream_version)
                    VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $11, $12)
                    ON CONFLICT (policy_id) DO UPDATE SET name = $2, timezone = $7,
                        limit_micros = $8, mode = $9, thresholds = $10, updated_at = $11,
                        stream_version = $12""",
                    d["policy_id"],
                    d["name"],
                    d["scope_kind"],
                    d["scope_id"],
                    d.get("team_id"),
                    d["period"],
                    d.get("timezone", "UTC"),
                    d["limit_micros"],
                    d["mode"],
                    d.get("thresholds", [80, 90, 100]),
                    e.recorded_at,
                    e.stream_version,
                )
            elif e.type == BudgetPolicyArchivedV1.event_type:
                await conn.execute(
                    f"UPDATE {t} SET archived = true, updated_at = $2, stream_version = $3"
                    " WHERE policy_id = $1",
                    d["policy_id"],
                    e.recorded_at,
                    e.stream_version,
                )
            else:
                rolled = BudgetPeriodRolledV1.model_validate(d)
                await conn.execute(
                    f"UPDATE {t} SET current_period_start = $2, current_period_end = $3,"
                    " stream_version = $4 WHERE policy_id = $1",
                    rolled.policy_id,
                    rolled.period_start,
                    rolled.period_end,
                    e.stream_version,
                )
