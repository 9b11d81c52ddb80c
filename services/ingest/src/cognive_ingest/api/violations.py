"""``GET /v1/policy-violations``: models not allowed and tools not approved, newest first."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query

from cognive_contracts.http import Page
from cognive_contracts.http.ingest import PolicyViolationOut, ViolationKind
from cognive_ingest.api.access import readable_teams
from cognive_ingest.api.deps import Reader, State
from cognive_runtime.http.cursor import bad_cursor, decode_cursor, encode_cursor

router = APIRouter(tags=["policy-violations"])


@router.get(
    "/v1/policy-violations",
    response_model=Page[PolicyViolationOut],
    summary="List policy violations, newest first",
)
async def list_violations(
    principal: Reader,
    state: State,
    agent_id: str | None = None,
    team_id: str | None = None,
    kind: ViolationKind | None = None,
    limit: Annotated[int | None, Query(ge=1, le=500)] = None,
    cursor: str | None = None,
) -> Page[PolicyViolationOut]:
    teams = readable_teams(principal, team_id)
    size = min(limit or state.settings.page_size_default, state.settings.page_size_max)
    where: list[str] = []
    args: list[Any] = []
    for clause, value in (
        ("team_id = ANY(${}::text[])", teams),
        ("agent_id = ${}", agent_id),
        ("kind = ${}", kind),
    ):
        if value is not None:
            args.append(value)
            where.append(clause.format(len(args)))
    if cursor is not None:
        (position,) = decode_cursor(cursor, 1)
        if not isinstance(position, int):
            raise bad_cursor()
        args.append(position)
        where.append(f"position < ${len(args)}")
    args.append(size + 1)
    rows = await state.pool.fetch(
        "SELECT violation_id, position, kind, agent_id, team_id, run_id, call_id, model, tool,"
        " detail, occurred_at, recorded_at FROM policy_violations"
        + (" WHERE " + " AND ".join(where) if where else "")
        + f" ORDER BY position DESC LIMIT ${len(args)}",
        *args,
    )
    items = [PolicyViolationOut.model_validate(dict(r)) for r in rows[:size]]
    next_cursor = encode_cursor(rows[size - 1]["position"]) if len(rows) > size else None
    return Page[PolicyViolationOut](items=items, next_cursor=next_cursor)
