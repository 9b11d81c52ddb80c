"""/v1/subscriptions: which alert types a channel receives, filtered by team or agent."""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Query

from cognive_contracts.http.notification import SubscriptionCreate, SubscriptionOut
from cognive_contracts.http.pagination import Page
from cognive_notification.api.deps import State
from cognive_notification.domain.channels import (
    create_subscription,
    delete_subscription,
    fold_channel,
    fold_subscription,
    subscription_stream,
)
from cognive_runtime.auth import AuthDep, ensure_team_role
from cognive_runtime.commands import catch_up, execute, load
from cognive_runtime.http.commands import command, forbidden, not_found, readable_teams
from cognive_runtime.http.cursor import decode_cursor, encode_cursor

router = APIRouter(prefix="/v1/subscriptions", tags=["subscriptions"])


def _out(row: Any) -> SubscriptionOut:
    return SubscriptionOut(**{k: row[k] for k in SubscriptionOut.model_fields})


@router.post("", status_code=201, response_model=SubscriptionOut)
async def create(body: SubscriptionCreate, state: State, principal: AuthDep) -> SubscriptionOut:
    team = await state.pool.fetchval(
        "SELECT team_id FROM channels WHERE channel_id = $1", body.channel_id
    )
    teams = readable_teams(principal)
    if team is None or (teams is not None and team not in teams):
        raise not_found(f"channel {body.channel_id}")
    ensure_team_role(principal, team, "team_lead")
    for other in body.filter_team_ids:
        if other != team:
            ensure_team_role(principal, other, "viewer")
    subscription_id = f"sub_{uuid.uuid4().hex[:20]}"
    async with command(state.pool, "notification-rule") as conn:
        history, _ = await load(conn, f"channel-{body.channel_id}")
        channel = fold_channel(history)
        await execute(
            conn,
            subscription_stream(subscription_id),
            fold_subscription,
            lambda current: create_subscription(
                current,
                subscription_id,
                channel,
                list(body.event_types),
                list(body.filter_team_ids),
                list(body.filter_agent_ids),
            ),
            principal.subject,
        )
    await catch_up(state.pool, state.projections)
    row = await state.pool.fetchrow(
        "SELECT * FROM subscriptions WHERE subscription_id = $1", subscription_id
    )
    return _out(row)


@router.delete("/{subscription_id}", status_code=204)
async def delete(subscription_id: str, state: State, principal: AuthDep) -> None:
    row = await state.pool.fetchrow(
        "SELECT * FROM subscriptions WHERE subscription_id = $1", subscription_id
    )
    teams = readable_teams(principal)
    if row is None or (teams is not None and row["team_id"] not in teams):
        raise not_found(f"subscription {subscription_id}")
    ensure_team_role(principal, row["team_id"], "team_lead")
    async with command(state.pool, "notification-rule") as conn:
        await execute(
            conn,
            subscription_stream(subscription_id),
            fold_subscription,
            delete_subscription,
            principal.subject,
        )
    await catch_up(state.pool, state.projections)


@router.get("", response_model=Page[SubscriptionOut])
async def list_subscriptions(
    state: State,
    principal: AuthDep,
    channel_id: str | None = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    cursor: str | None = None,
) -> Page[SubscriptionOut]:
    teams = readable_teams(principal)
    if teams is not None and not teams:
        raise forbidden("requires a role in a team or the read scope")
    after = decode_cursor(cursor, 1)[0] if cursor else ""
    rows = await state.pool.fetch(
        "SELECT * FROM subscriptions WHERE ($1::text[] IS NULL OR team_id = ANY($1))"
        " AND ($2::text IS NULL OR channel_id = $2) AND subscription_id > $3"
        " ORDER BY subscription_id LIMIT $4",
        teams,
        channel_id,
        after,
        limit + 1,
    )
    items = [_out(r) for r in rows[:limit]]
    more = len(rows) > limit
    return Page[SubscriptionOut](
        items=items, next_cursor=encode_cursor(items[-1].subscription_id) if more else None
    )
