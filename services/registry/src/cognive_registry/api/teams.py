"""/v1/teams: organisation admins create teams; team leads keep them up to date."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Header, Query
from fastapi.responses import JSONResponse

from cognive_contracts.http.pagination import Page
from cognive_contracts.http.registry import TeamCreate, TeamOut, TeamUpdate
from cognive_registry.api.deps import State, command
from cognive_registry.domain.teams import create_team, fold_team, update_team
from cognive_runtime.auth import AuthDep, ensure_team_access, ensure_team_role
from cognive_runtime.commands import catch_up, execute
from cognive_runtime.http.commands import OrgAdmin, not_found, readable_teams
from cognive_runtime.http.cursor import decode_cursor, encode_cursor
from cognive_runtime.http.idempotency import remember, replay
from cognive_runtime.projections.base import pooled_connection

router = APIRouter(prefix="/v1/teams", tags=["teams"])


async def _get(state: State, team_id: str) -> TeamOut | None:
    row = await state.pool.fetchrow("SELECT * FROM teams WHERE team_id = $1", team_id)
    return None if row is None else TeamOut(**dict(row))


@router.post("", status_code=201, response_model=TeamOut)
async def create(
    body: TeamCreate,
    state: State,
    principal: OrgAdmin,
    idempotency_key: Annotated[str | None, Header()] = None,
) -> TeamOut | JSONResponse:
    async with command(state) as conn:
        if cached := await replay(
            conn, principal.subject, "teams", idempotency_key, body.model_dump()
        ):
            return cached
        await execute(
            conn,
            f"team-{body.team_id}",
            fold_team,
            lambda team: create_team(team, body.team_id, body.name, body.description),
            principal.subject,
        )
    await catch_up(state.pool, state.projections)
    team = await _get(state, body.team_id)
    assert team is not None
    async with pooled_connection(state.pool) as conn:
        await remember(
            conn,
            principal.subject,
            "teams",
            idempotency_key,
            body.model_dump(),
            201,
            team.model_dump(mode="json"),
        )
    return team


@router.patch("/{team_id}", response_model=TeamOut)
async def update(team_id: str, body: TeamUpdate, state: State, principal: AuthDep) -> TeamOut:
    ensure_team_role(principal, team_id, "team_lead")
    async with command(state) as conn:
        await execute(
            conn,
            f"team-{team_id}",
            fold_team,
            lambda team: update_team(team, team_id, body.model_dump(exclude_unset=True)),
            principal.subject,
        )
    await catch_up(state.pool, state.projections)
    team = await _get(state, team_id)
    if team is None:
        raise not_found(f"team {team_id}")
    return team


@router.get("", response_model=Page[TeamOut])
async def list_teams(
    state: State,
    principal: AuthDep,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    cursor: str | None = None,
) -> Page[TeamOut]:
    after = decode_cursor(cursor, 1) if cursor else None
    rows = await state.pool.fetch(
        "SELECT * FROM teams WHERE ($1::text[] IS NULL OR team_id = ANY($1))"
        " AND ($2::text IS NULL OR team_id > $2) ORDER BY team_id LIMIT $3",
        readable_teams(principal),
        after[0] if after else None,
        limit + 1,
    )
    items = [TeamOut(**dict(r)) for r in rows[:limit]]
    more = len(rows) > limit
    return Page[TeamOut](
        items=items, next_cursor=encode_cursor(items[-1].team_id) if more else None
    )


@router.get("/{team_id}", response_model=TeamOut)
async def get(team_id: str, state: State, principal: AuthDep) -> TeamOut:
    ensure_team_access(principal, team_id)
    team = await _get(state, team_id)
    if team is None:
        raise not_found(f"team {team_id}")
    return team
