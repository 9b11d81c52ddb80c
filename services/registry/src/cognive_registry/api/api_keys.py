"""/v1/api-keys: issue (the secret is shown once), list (prefix and metadata only), revoke.

A key's hash goes into registry's own key projection in the same transaction as its event,
so registry accepts it at once; the other services learn it from the event."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Header, Query

from cognive_contracts.events.registry import ApiKeyIssuedV1, ApiKeyRevokedV1
from cognive_contracts.http.pagination import Page
from cognive_contracts.http.registry import ApiKeyCreate, ApiKeyIssued, ApiKeyOut, ApiKeyRevoke
from cognive_registry.api.deps import State, command
from cognive_registry.domain.keys import check_expiry, fold_key, revoke_key
from cognive_runtime.auth import (
    ApiKeyPrincipal,
    AuthDep,
    Principal,
    ensure_team_role,
    generate_api_key,
)
from cognive_runtime.auth.key_projection import apply_issued, apply_revoked
from cognive_runtime.commands import catch_up, execute
from cognive_runtime.domain_errors import DomainError
from cognive_runtime.http.commands import forbidden, not_found
from cognive_runtime.http.cursor import decode_cursor, encode_cursor
from cognive_runtime.http.idempotency import remember, replay
from cognive_runtime.problems import ProblemError, problem_type

router = APIRouter(prefix="/v1/api-keys", tags=["api-keys"])


def _manage(principal: Principal, team_id: str) -> None:
    ensure_team_role(principal, team_id, "team_lead", api_key_scope="admin")


def _out(row: Any) -> ApiKeyOut:
    return ApiKeyOut(**dict(row))


@router.post("", status_code=201, response_model=ApiKeyIssued)
async def issue(
    body: ApiKeyCreate,
    state: State,
    principal: AuthDep,
    idempotency_key: Annotated[str | None, Header()] = None,
) -> ApiKeyIssued:
    _manage(principal, body.team_id)
    now = datetime.now(UTC)
    generated = generate_api_key(body.environment)
    event = ApiKeyIssuedV1(
        key_id=generated.key_id,
        name=body.name,
        prefix=generated.prefix,
        secret_sha256=generated.secret_sha256_hex,
        team_id=body.team_id,
        scopes=list(dict.fromkeys(body.scopes)),
        environment=body.environment,
        issued_at=now,
        expires_at=body.expires_at,
    )
    request_body = body.model_dump(mode="json")
    async with command(state) as conn:
        if await replay(conn, principal.subject, "api-keys", idempotency_key, request_body):
            # The secret is never stored, so it cannot be shown again.
            raise ProblemError(
                409,
                "Conflict",
                "a key was already issued for this Idempotency-Key; its secret is shown once",
                type=problem_type("api-key-already-issued"),
            )
        try:
            check_expiry(body.expires_at, now)
        except DomainError as exc:
            raise ProblemError(422, "Unprocessable Content", exc.detail) from exc
        await execute(
            conn, f"apikey-{generated.key_id}", fold_key, lambda _s: [event], principal.subject
        )
        await apply_issued(conn, [event])
        await remember(
            conn,
            principal.subject,
            "api-keys",
            idempotency_key,
            request_body,
            201,
            {"key_id": generated.key_id},
        )
    await catch_up(state.pool, state.projections)
    return ApiKeyIssued(
        key_id=event.key_id,
        team_id=event.team_id,
        name=event.name,
        prefix=event.prefix,
        scopes=list(event.scopes),
        environment=event.environment,
        issued_at=now,
        expires_at=event.expires_at,
        revoked_at=None,
        api_key=generated.plaintext,
    )


@router.get("", response_model=Page[ApiKeyOut])
async def list_keys(
    state: State,
    principal: AuthDep,
    team_id: str,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    cursor: str | None = None,
) -> Page[ApiKeyOut]:
    _manage(principal, team_id)
    after = decode_cursor(cursor, 2) if cursor else None
    rows = await state.pool.fetch(
        "SELECT * FROM issued_keys WHERE team_id = $1"
        " AND ($2::timestamptz IS NULL OR (issued_at, key_id) > ($2, $3))"
        " ORDER BY issued_at, key_id LIMIT $4",
        team_id,
        datetime.fromisoformat(after[0]) if after else None,
        after[1] if after else "",
        limit + 1,
    )
    items = [_out(r) for r in rows[:limit]]
    more = len(rows) > limit
    return Page[ApiKeyOut](
        items=items,
        next_cursor=encode_cursor(items[-1].issued_at.isoformat(), items[-1].key_id)
        if more
        else None,
    )


@router.post("/{key_id}/revoke", response_model=ApiKeyOut)
async def revoke(key_id: str, body: ApiKeyRevoke, state: State, principal: AuthDep) -> ApiKeyOut:
    team_id = await state.pool.fetchval("SELECT team_id FROM issued_keys WHERE key_id = $1", key_id)
    if team_id is None:
        raise not_found(f"api key {key_id}")
    if isinstance(principal, ApiKeyPrincipal) and principal.team_id != team_id:
        raise forbidden("a key can revoke keys of its own team only")
    _manage(principal, team_id)
    now = datetime.now(UTC)
    async with command(state) as conn:
        _, decided = await execute(
            conn,
            f"apikey-{key_id}",
            fold_key,
            lambda key: revoke_key(key, key_id, now, body.reason),
            principal.subject,
        )
        await apply_revoked(conn, [e for e in decided if isinstance(e, ApiKeyRevokedV1)])
    await state.keys.mark_revoked([key_id])
    await catch_up(state.pool, state.projections)
    row = await state.pool.fetchrow("SELECT * FROM issued_keys WHERE key_id = $1", key_id)
    return _out(row)
