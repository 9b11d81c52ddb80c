"""/v1/agents: registration (idempotent; the SDK's call at every start), update, retire."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Query, Response

from cognive_contracts.events.base import Environment
from cognive_contracts.http.pagination import Page
from cognive_contracts.http.registry import AgentOut, AgentRegister, AgentRetire, AgentUpdate
from cognive_registry.api.deps import State, command
from cognive_registry.domain.agents import (
    Agent,
    agent_id_for,
    fold_agent,
    register_agent,
    retire_agent,
    update_agent,
)
from cognive_runtime.auth import ApiKeyPrincipal, AuthDep, Principal, ensure_team_role
from cognive_runtime.commands import catch_up, execute
from cognive_runtime.http.commands import forbidden, not_found, readable_teams
from cognive_runtime.http.cursor import decode_cursor, encode_cursor
from cognive_runtime.problems import FieldProblem, ProblemError

router = APIRouter(prefix="/v1/agents", tags=["agents"])


def _row(row: Any) -> AgentOut:
    return AgentOut(**dict(row))


async def _get(state: State, agent_id: str) -> AgentOut | None:
    row = await state.pool.fetchrow("SELECT * FROM agents WHERE agent_id = $1", agent_id)
    return None if row is None else _row(row)


def _team_for_register(principal: Principal, body: AgentRegister) -> str:
    if isinstance(principal, ApiKeyPrincipal):
        if body.team_id not in (None, principal.team_id):
            raise forbidden("an API key registers agents of its own team only")
        ensure_team_role(principal, principal.team_id, "developer", api_key_scope="agents:register")
        return principal.team_id
    if body.team_id is None:
        raise ProblemError(
            422,
            "Unprocessable Content",
            "team_id is required for a person's registration",
            errors=[FieldProblem("body.team_id", "required")],
        )
    ensure_team_role(principal, body.team_id, "developer")
    return body.team_id


@router.post("", response_model=AgentOut, status_code=201)
async def register(
    body: AgentRegister, state: State, principal: AuthDep, response: Response
) -> AgentOut:
    """201 when the agent is new, 200 when (team, name, environment) already existed (its
    fields updated if they differ)."""
    team_id = _team_for_register(principal, body)
    agent_id = agent_id_for(team_id, body.environment, body.name)
    wanted = Agent(
        agent_id=agent_id,
        team_id=team_id,
        name=body.name,
        environment=body.environment,
        framework=body.framework,
        description=body.description,
        version=body.version,
        allowed_models=list(body.allowed_models),
        approved_tools=list(body.approved_tools),
        tags=list(body.tags),
        metadata=dict(body.metadata),
    )
    async with command(state) as conn:
        existing, _ = await execute(
            conn,
            f"agent-{agent_id}",
            fold_agent,
            lambda agent: register_agent(agent, wanted),
            principal.subject,
        )
    await catch_up(state.pool, state.projections)
    if existing is not None:
        response.status_code = 200
    agent = await _get(state, agent_id)
    assert agent is not None
    return agent


async def _team_of(state: State, agent_id: str) -> str:
    team = await state.pool.fetchval("SELECT team_id FROM agents WHERE agent_id = $1", agent_id)
    if team is None:
        raise not_found(f"agent {agent_id}")
    return str(team)


@router.patch("/{agent_id}", response_model=AgentOut)
async def update(agent_id: str, body: AgentUpdate, state: State, principal: AuthDep) -> AgentOut:
    ensure_team_role(
        principal, await _team_of(state, agent_id), "developer", api_key_scope="agents:register"
    )
    async with command(state) as conn:
        await execute(
            conn,
            f"agent-{agent_id}",
            fold_agent,
            lambda agent: update_agent(agent, body.model_dump(exclude_unset=True)),
            principal.subject,
        )
    await catch_up(state.pool, state.projections)
    agent = await _get(state, agent_id)
    assert agent is not None
    return agent


@router.post("/{agent_id}/retire", response_model=AgentOut)
async def retire(agent_id: str, body: AgentRetire, state: State, principal: AuthDep) -> AgentOut:
    ensure_team_role(principal, await _team_of(state, agent_id), "team_lead")
    now = datetime.now(UTC)
    async with command(state) as conn:
        await execute(
            conn,
            f"agent-{agent_id}",
            fold_agent,
            lambda agent: retire_agent(agent, now, body.reason),
            principal.subject,
        )
    await catch_up(state.pool, state.projections)
    agent = await _get(state, agent_id)
    assert agent is not None
    return agent


@router.get("", response_model=Page[AgentOut])
async def list_agents(
    state: State,
    principal: AuthDep,
    team_id: str | None = None,
    environment: Environment | None = None,
    framework: str | None = None,
    status: str | None = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    cursor: str | None = None,
) -> Page[AgentOut]:
    teams = readable_teams(principal)
    if team_id is not None:
        if teams is not None and team_id not in teams:
            raise forbidden(f"no access to team {team_id}")
        teams = [team_id]
    after = decode_cursor(cursor, 2) if cursor else None
    rows = await state.pool.fetch(
        "SELECT * FROM agents WHERE ($1::text[] IS NULL OR team_id = ANY($1))"
        " AND ($2::text IS NULL OR environment = $2) AND ($3::text IS NULL OR framework = $3)"
        " AND ($4::text IS NULL OR status = $4)"
        " AND ($5::timestamptz IS NULL OR (created_at, agent_id) > ($5, $6))"
        " ORDER BY created_at, agent_id LIMIT $7",
        teams,
        environment,
        framework,
        status,
        datetime.fromisoformat(after[0]) if after else None,
        after[1] if after else "",
        limit + 1,
    )
    items = [_row(r) for r in rows[:limit]]
    more = len(rows) > limit
    cursor_out = (
        encode_cursor(items[-1].created_at.isoformat(), items[-1].agent_id) if more else None
    )
    return Page[AgentOut](items=items, next_cursor=cursor_out)


@router.get("/{agent_id}", response_model=AgentOut)
async def get(agent_id: str, state: State, principal: AuthDep) -> AgentOut:
    agent = await _get(state, agent_id)
    if agent is None or not principal.can_access_team(agent.team_id):
        raise not_found(f"agent {agent_id}")
    return agent
