"""Reading policies from the `policies` read model as domain values."""

from __future__ import annotations

from typing import Any

import asyncpg

from cognive_budget.domain.policies import Policy

ACTIVE_SQL = "SELECT * FROM policies WHERE NOT archived"


def policy_from_row(row: Any) -> Policy:
    return Policy(
        policy_id=row["policy_id"],
        name=row["name"],
        scope_kind=row["scope_kind"],
        scope_id=row["scope_id"],
        team_id=row["team_id"],
        period=row["period"],
        timezone=row["timezone"],
        limit_micros=row["limit_micros"],
        mode=row["mode"],
        thresholds=tuple(row["thresholds"]),
        archived=row["archived"],
        current_period_start=row["current_period_start"],
    )


async def load_active_policies(conn: asyncpg.Connection | asyncpg.Pool) -> list[Policy]:
    return [policy_from_row(r) for r in await conn.fetch(ACTIVE_SQL)]
