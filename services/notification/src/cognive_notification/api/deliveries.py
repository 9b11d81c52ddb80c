"""/v1/deliveries: the delivery log with every attempt; redeliver on demand."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query

from cognive_contracts.http.notification import AttemptOut, DeliveryOut
from cognive_contracts.http.pagination import Page
from cognive_notification.api.deps import NotificationState, State
from cognive_runtime.auth import AuthDep, Principal, ensure_team_role
from cognive_runtime.http.commands import forbidden, not_found, readable_teams
from cognive_runtime.http.cursor import decode_cursor, encode_cursor

router = APIRouter(prefix="/v1/deliveries", tags=["deliveries"])

_FIELDS = [f for f in DeliveryOut.model_fields if f != "attempt_log"]


def _out(row: Any, attempts: list[Any] | None = None) -> DeliveryOut:
    values = {k: row[k] for k in _FIELDS}
    values["event_id"] = str(values["event_id"])
    log = None if attempts is None else [AttemptOut(**dict(a)) for a in attempts]
    return DeliveryOut(**values, attempt_log=log)


@router.get("", response_model=Page[DeliveryOut])
async def list_deliveries(
    state: State,
    principal: AuthDep,
    channel_id: str | None = None,
    status: Literal["pending", "succeeded", "failed"] | None = None,
    event_id: str | None = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    cursor: str | None = None,
) -> Page[DeliveryOut]:
    teams = readable_teams(principal)
    if teams is not None and not teams:
        raise forbidden("requires a role in a team or the read scope")
    after = decode_cursor(cursor, 2) if cursor else None
    rows = await state.pool.fetch(
        "SELECT d.* FROM deliveries d JOIN channels c USING (channel_id)"
        " WHERE ($1::text[] IS NULL OR c.team_id = ANY($1))"
        " AND ($2::text IS NULL OR d.channel_id = $2) AND ($3::text IS NULL OR d.status = $3)"
        " AND ($4::text IS NULL OR d.event_id::text = $4)"
        " AND ($5::timestamptz IS NULL OR (d.created_at, d.delivery_id) < ($5, $6))"
        " ORDER BY d.created_at DESC, d.delivery_id DESC LIMIT $7",
        teams,
        channel_id,
        status,
        event_id,
        None if after is None else datetime.fromisoformat(after[0]),
        after[1] if after else "",
        limit + 1,
    )
    items = [_out(r) for r in rows[:limit]]
    more = len(rows) > limit
    return Page[DeliveryOut](
        items=items,
        next_cursor=encode_cursor(items[-1].created_at.isoformat(), items[-1].delivery_id)
        if more
        else None,
    )


async def _visible(state: NotificationState, principal: Principal, delivery_id: str) -> Any:
    row = await state.pool.fetchrow(
        "SELECT d.*, c.team_id AS channel_team FROM deliveries d JOIN channels c"
        " USING (channel_id) WHERE d.delivery_id = $1",
        delivery_id,
    )
    teams = readable_teams(principal)
    if row is None or (teams is not None and row["channel_team"] not in teams):
        raise not_found(f"delivery {delivery_id}")
    return row


@router.get("/{delivery_id}", response_model=DeliveryOut)
async def get(delivery_id: str, state: State, principal: AuthDep) -> DeliveryOut:
    row = await _visible(state, principal, delivery_id)
    attempts = await state.pool.fetch(
        "SELECT attempt, at, outcome, status_code, latency_ms, error FROM delivery_attempts"
        " WHERE delivery_id = $1 ORDER BY attempt",
        delivery_id,
    )
    return _out(row, attempts)


@router.post("/{delivery_id}/redeliver", response_model=DeliveryOut)
async def redeliver(delivery_id: str, state: State, principal: AuthDep) -> DeliveryOut:
    """Send again now (same `webhook-id`), e.g. after fixing the endpoint."""
    row = await _visible(state, principal, delivery_id)
    ensure_team_role(principal, row["channel_team"], "team_lead")
    updated = await state.pool.fetchrow(
        "UPDATE deliveries SET status = 'pending', next_attempt_at = now(),"
        " first_attempt_at = NULL, updated_at = now() WHERE delivery_id = $1 RETURNING *",
        delivery_id,
    )
    return _out(updated)
