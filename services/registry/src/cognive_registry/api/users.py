"""/v1/users: people and their role bindings. Organisation admins manage everyone; a team's
admins manage that team's bindings."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Header, Query
from fastapi.responses import JSONResponse

from cognive_contracts.http.pagination import Page
from cognive_contracts.http.registry import RoleBindingOut, RoleGrant, UserCreate, UserOut
from cognive_registry.api.deps import State, command
from cognive_registry.domain.users import (
    create_user,
    fold_user,
    grant_role,
    revoke_role,
    user_id_for,
)
from cognive_runtime.auth import AuthDep, ensure_team_role
from cognive_runtime.commands import catch_up, execute
from cognive_runtime.http.commands import OrgAdmin, not_found
from cognive_runtime.http.cursor import decode_cursor, encode_cursor
from cognive_runtime.http.idempotency import remember, replay
from cognive_runtime.projections.base import pooled_connection

router = APIRouter(prefix="/v1/users", tags=["users"])


async def load_user(state: State, user_id: str) -> UserOut | None:
    row = await state.pool.fetchrow("SELECT * FROM users WHERE user_id = $1", user_id)
    if row is None:
        return None
    roles = await state.pool.fetch(
        "SELECT team_id, role FROM role_bindings WHERE user_id = $1 ORDER BY team_id", user_id
    )
    return _out(row, roles)


def _out(row: Any, roles: list[Any]) -> UserOut:
    return UserOut(
        **dict(row), roles=[RoleBindingOut(team_id=r["team_id"], role=r["role"]) for r in roles]
    )


@router.post("", status_code=201, response_model=UserOut)
async def create(
    body: UserCreate,
    state: State,
    principal: OrgAdmin,
    idempotency_key: Annotated[str | None, Header()] = None,
) -> UserOut | JSONResponse:
    user_id = user_id_for(body.email)
    async with command(state) as conn:
        if cached := await replay(
            conn, principal.subject, "users", idempotency_key, body.model_dump()
        ):
            return cached
        await execute(
            conn,
            f"user-{user_id}",
            fold_user,
            lambda user: create_user(user, body.email, body.display_name, body.org_role),
            principal.subject,
        )
    await catch_up(state.pool, state.projections)
    user = await load_user(state, user_id)
    assert user is not None
    async with pooled_connection(state.pool) as conn:
        await remember(
            conn,
            principal.subject,
            "users",
            idempotency_key,
            body.model_dump(),
            201,
            user.model_dump(mode="json"),
        )
    return user


@router.get("", response_model=Page[UserOut])
async def list_users(
    state: State,
    _admin: OrgAdmin,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    cursor: str | None = None,
) -> Page[UserOut]:
    after = decode_cursor(cursor, 1) if cursor else None
    rows = await state.pool.fetch(
        "SELECT * FROM users WHERE ($1::text IS NULL OR email > $1) ORDER BY email LIMIT $2",
        after[0] if after else None,
        limit + 1,
    )
    items = []
    for row in rows[:limit]:
        roles = await state.pool.fetch(
            "SELECT team_id, role FROM role_bindings WHERE user_id = $1 ORDER BY team_id",
            row["user_id"],
        )
        items.append(_out(row, roles))
    more = len(rows) > limit
    return Page[UserOut](items=items, next_cursor=encode_cursor(items[-1].email) if more else None)


@router.get("/{user_id}", response_model=UserOut)
async def get(user_id: str, state: State, _admin: OrgAdmin) -> UserOut:
    user = await load_user(state, user_id)
    if user is None:
        raise not_found(f"user {user_id}")
    return user


@router.post("/{user_id}/roles", response_model=UserOut)
async def grant(user_id: str, body: RoleGrant, state: State, principal: AuthDep) -> UserOut:
    ensure_team_role(principal, body.team_id, "admin")
    async with command(state) as conn:
        await execute(
            conn,
            f"user-{user_id}",
            fold_user,
            lambda user: grant_role(user, body.team_id, body.role),
            principal.subject,
        )
    await catch_up(state.pool, state.projections)
    user = await load_user(state, user_id)
    assert user is not None
    return user


@router.delete("/{user_id}/roles/{team_id}", response_model=UserOut)
async def revoke(user_id: str, team_id: str, state: State, principal: AuthDep) -> UserOut:
    ensure_team_role(principal, team_id, "admin")
    async with command(state) as conn:
        await execute(
            conn,
            f"user-{user_id}",
            fold_user,
            lambda user: revoke_role(user, team_id),
            principal.subject,
        )
    await catch_up(state.pool, state.projections)
    user = await load_user(state, user_id)
    assert user is not None
    return user
