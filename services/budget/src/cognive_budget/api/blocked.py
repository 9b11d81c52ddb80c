"""GET /v1/blocked-calls: the calls the pre-flight check refused, newest first."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from cognive_budget.api.deps import State
from cognive_contracts.http.budget import BlockedCallOut
from cognive_contracts.http.pagination import Page
from cognive_runtime.auth import AuthDep
from cognive_runtime.http.commands import teams_in_scope
from cognive_runtime.http.cursor import decode_cursor, encode_cursor

router = APIRouter(prefix="/v1/blocked-calls", tags=["blocked calls"])


@router.get("", response_model=Page[BlockedCallOut])
async def list_blocked(
    state: State,
    principal: AuthDep,
    team_id: str | None = None,
    policy_id: str | None = None,
    agent_id: str | None = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    cursor: str | None = None,
) -> Page[BlockedCallOut]:
    teams = teams_in_scope(principal, team_id)
    before = decode_cursor(cursor, 1)[0] if cursor else None
    rows = await state.pool.fetch(
        "SELECT * FROM blocked_calls WHERE ($1::text[] IS NULL OR team_id = ANY($1))"
        " AND ($2::text IS NULL OR policy_id = $2) AND ($3::text IS NULL OR agent_id = $3)"
        " AND ($4::bigint IS NULL OR position < $4) ORDER BY position DESC LIMIT $5",
        teams,
        policy_id,
        agent_id,
        before,
        limit + 1,
    )
    items = [
        BlockedCallOut(**{k: v for k, v in dict(r).items() if k != "position"})
        for r in rows[:limit]
    ]
    more = len(rows) > limit
    return Page[BlockedCallOut](
        items=items, next_cursor=encode_cursor(rows[limit - 1]["position"]) if more else None
    )
