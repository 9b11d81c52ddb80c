"""/v1/budgets: define, change and archive budget policies; read them with their status.

Who may: an org budget needs an organisation admin; any other a team lead of the owning
team (for an agent budget, the agent's team when budget knows the agent)."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Header, Query
from fastapi.responses import JSONResponse

from cognive_budget.api.deps import BudgetState, State
from cognive_budget.domain.periods import bounds_for
from cognive_budget.domain.policies import (
    archive_policy,
    define_policy,
    fold_policy,
    policy_stream,
    update_policy,
)
from cognive_budget.domain.spend import EXCEEDED_MARK
from cognive_contracts.http.budget import (
    BudgetArchive,
    BudgetCreate,
    BudgetOut,
    BudgetStatus,
    BudgetUpdate,
)
from cognive_contracts.http.pagination import Page
from cognive_runtime.auth import AuthDep, Principal, UserPrincipal, ensure_team_role
from cognive_runtime.commands import catch_up, execute
from cognive_runtime.http.commands import (
    command,
    forbidden,
    not_found,
    readable_teams,
    teams_in_scope,
)
from cognive_runtime.http.cursor import decode_cursor, encode_cursor
from cognive_runtime.http.idempotency import remember, replay
from cognive_runtime.problems import FieldProblem, ProblemError, problem_type
from cognive_runtime.projections.base import pooled_connection

router = APIRouter(prefix="/v1/budgets", tags=["budgets"])


def _ensure_may_manage(principal: Principal, scope_kind: str, team_id: str | None) -> None:
    if scope_kind == "org" or team_id is None:
        if not (isinstance(principal, UserPrincipal) and principal.is_org_admin):
            raise forbidden("an organisation budget needs an organisation admin")
        return
    ensure_team_role(principal, team_id, "team_lead")


async def _owning_team(state: BudgetState, body: BudgetCreate) -> str | None:
    if body.scope_kind == "org":
        return None
    if body.scope_kind == "team":
        if body.team_id is not None and body.team_id != body.scope_id:
            raise ProblemError(
                422,
                "Unprocessable Content",
                "a team budget belongs to that team",
                type=problem_type("validation"),
                errors=[FieldProblem("team_id", "must equal scope_id for a team budget")],
            )
        return body.scope_id
    if body.scope_kind == "agent":
        known = await state.pool.fetchval(
            "SELECT team_id FROM agents WHERE agent_id = $1", body.scope_id
        )
        if known is not None:
            if body.team_id is not None and body.team_id != known:
                raise ProblemError(
                    422,
                    "Unprocessable Content",
                    f"agent {body.scope_id} belongs to team {known}",
                    type=problem_type("validation"),
                    errors=[FieldProblem("team_id", "is not the agent's team")],
                )
            return str(known)
    if body.team_id is None:
        raise ProblemError(
            422,
            "Unprocessable Content",
            "team_id is required: budget does not know this scope's team",
            type=problem_type("validation"),
            errors=[FieldProblem("team_id", "required")],
        )
    return body.team_id


async def _status(state: BudgetState, row: Any, run_id: str | None) -> BudgetStatus | None:
    if row["archived"]:
        return None
    bounds = bounds_for(row["period"], row["timezone"], state.clock(), run_id)
    if bounds is None:
        return None
    counter = await state.pool.fetchrow(
        "SELECT period_start, period_end, spent_micros FROM spend_counters"
        " WHERE policy_id = $1 AND period_key = $2",
        row["policy_id"],
        bounds.key,
    )
    marks = await state.pool.fetch(
        "SELECT threshold FROM alerts_emitted WHERE policy_id = $1 AND period_key = $2",
        row["policy_id"],
        bounds.key,
    )
    spent = counter["spent_micros"] if counter else 0
    reserved = await state.store.reserved(row["policy_id"], bounds.key)
    limit = row["limit_micros"]
    crossed = sorted(m["threshold"] for m in marks if m["threshold"] != EXCEEDED_MARK)
    return BudgetStatus(
        period_start=counter["period_start"] if counter else bounds.start,
        period_end=bounds.end,
        spent_micros=spent,
        reserved_micros=reserved,
        remaining_micros=max(0, limit - spent - reserved),
        percent_used=round(spent * 100 / limit, 2),
        thresholds_crossed=crossed,
        exceeded=any(m["threshold"] == EXCEEDED_MARK for m in marks),
    )


def _out(row: Any, status: BudgetStatus | None = None) -> BudgetOut:
    return BudgetOut(
        policy_id=row["policy_id"],
        name=row["name"],
        scope_kind=row["scope_kind"],
        scope_id=row["scope_id"],
        team_id=row["team_id"],
        period=row["period"],
        timezone=row["timezone"],
        limit_micros=row["limit_micros"],
        mode=row["mode"],
        thresholds=list(row["thresholds"]),
        archived=row["archived"],
        created_at=row["created_at"],
        updated_at=row["updated_at"],
        status=status,
    )


async def _row(state: BudgetState, policy_id: str) -> Any:
    return await state.pool.fetchrow("SELECT * FROM policies WHERE policy_id = $1", policy_id)


async def _after_change(state: BudgetState, policy_id: str) -> BudgetOut:
    await catch_up(state.pool, state.projections)
    await state.policy_view.refresh()
    row = await _row(state, policy_id)
    assert row is not None
    return _out(row, await _status(state, row, None))


@router.post("", status_code=201, response_model=BudgetOut)
async def create(
    body: BudgetCreate,
    state: State,
    principal: AuthDep,
    idempotency_key: Annotated[str | None, Header()] = None,
) -> BudgetOut | JSONResponse:
    team_id = await _owning_team(state, body)
    _ensure_may_manage(principal, body.scope_kind, team_id)
    policy_id = body.policy_id or f"bud_{uuid.uuid4().hex[:20]}"
    fields = body.model_dump(exclude={"policy_id"}) | {"policy_id": policy_id, "team_id": team_id}
    now = state.clock()
    async with command(state.pool, "budget-rule") as conn:
        if cached := await replay(
            conn, principal.subject, "budgets", idempotency_key, body.model_dump()
        ):
            return cached
        await execute(
            conn,
            policy_stream(policy_id),
            fold_policy,
            lambda current: define_policy(current, fields, now),
            principal.subject,
        )
    out = await _after_change(state, policy_id)
    async with pooled_connection(state.pool) as conn:
        await remember(
            conn,
            principal.subject,
            "budgets",
            idempotency_key,
            body.model_dump(),
            201,
            out.model_dump(mode="json"),
        )
    return out


async def _managed(state: BudgetState, principal: Principal, policy_id: str) -> Any:
    row = await _row(state, policy_id)
    if row is None or not _may_read(principal, row["team_id"]):
        raise not_found(f"budget {policy_id}")
    _ensure_may_manage(principal, row["scope_kind"], row["team_id"])
    return row


@router.patch("/{policy_id}", response_model=BudgetOut)
async def update(policy_id: str, body: BudgetUpdate, state: State, principal: AuthDep) -> BudgetOut:
    await _managed(state, principal, policy_id)
    changes = body.model_dump(exclude_unset=True)
    async with command(state.pool, "budget-rule") as conn:
        await execute(
            conn,
            policy_stream(policy_id),
            fold_policy,
            lambda current: update_policy(current, changes),
            principal.subject,
        )
    return await _after_change(state, policy_id)


@router.post("/{policy_id}/archive", response_model=BudgetOut)
async def archive(
    policy_id: str, body: BudgetArchive, state: State, principal: AuthDep
) -> BudgetOut:
    await _managed(state, principal, policy_id)
    now = state.clock()
    async with command(state.pool, "budget-rule") as conn:
        await execute(
            conn,
            policy_stream(policy_id),
            fold_policy,
            lambda current: archive_policy(current, now, body.reason),
            principal.subject,
        )
    return await _after_change(state, policy_id)


def _may_read(principal: Principal, team_id: str | None) -> bool:
    teams = readable_teams(principal)
    # Org budgets bind every team: anyone who may read budgets at all sees them.
    return teams is None or team_id is None or team_id in teams


@router.get("", response_model=Page[BudgetOut])
async def list_budgets(
    state: State,
    principal: AuthDep,
    team_id: str | None = None,
    scope_kind: str | None = None,
    scope_id: str | None = None,
    include_archived: bool = False,
    with_status: bool = False,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    cursor: str | None = None,
) -> Page[BudgetOut]:
    teams = teams_in_scope(principal, team_id)
    after = decode_cursor(cursor, 2) if cursor else None
    rows = await state.pool.fetch(
        "SELECT * FROM policies WHERE ($1::text[] IS NULL OR team_id = ANY($1) OR team_id IS NULL)"
        " AND ($2::text IS NULL OR scope_kind = $2) AND ($3::text IS NULL OR scope_id = $3)"
        " AND ($4 OR NOT archived)"
        " AND ($5::timestamptz IS NULL OR (created_at, policy_id) > ($5, $6))"
        " ORDER BY created_at, policy_id LIMIT $7",
        teams,
        scope_kind,
        scope_id,
        include_archived,
        datetime.fromisoformat(after[0]) if after else None,
        after[1] if after else "",
        limit + 1,
    )
    items = [_out(r, await _status(state, r, None) if with_status else None) for r in rows[:limit]]
    more = len(rows) > limit
    next_cursor = (
        encode_cursor(items[-1].created_at.isoformat(), items[-1].policy_id) if more else None
    )
    return Page[BudgetOut](items=items, next_cursor=next_cursor)


@router.get("/{policy_id}", response_model=BudgetOut)
async def get(
    policy_id: str, state: State, principal: AuthDep, run_id: str | None = None
) -> BudgetOut:
    row = await _row(state, policy_id)
    if row is None or not _may_read(principal, row["team_id"]):
        raise not_found(f"budget {policy_id}")
    if readable_teams(principal) == []:
        raise not_found(f"budget {policy_id}")
    return _out(row, await _status(state, row, run_id))
