"""/v1/audit: the hash-chained trail of admin events of every service, and its check."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Query

from cognive_contracts.http.pagination import Page
from cognive_contracts.http.registry import AuditEntryOut, AuditVerification
from cognive_registry.api.deps import State
from cognive_registry.domain.audit import first_broken
from cognive_runtime.auth import ApiKeyPrincipal, AuthDep, Principal
from cognive_runtime.http.commands import OrgAdmin, forbidden

router = APIRouter(prefix="/v1/audit", tags=["audit"])


def _visible_teams(principal: Principal) -> list[str] | None:
    """Org admins see everything; team leads and admin keys see their teams' entries."""
    if isinstance(principal, ApiKeyPrincipal):
        if not principal.has_scope("admin"):
            raise forbidden("requires scope admin")
        return [principal.team_id]
    if principal.is_org_admin:
        return None
    teams = [b.team_id for b in principal.roles if principal.has_role(b.team_id, "team_lead")]
    if not teams:
        raise forbidden("requires team_lead in some team")
    return teams


def _out(row: Any) -> AuditEntryOut:
    return AuditEntryOut(**{**dict(row), "event_id": str(row["event_id"])})


@router.get("", response_model=Page[AuditEntryOut])
async def list_entries(
    state: State,
    principal: AuthDep,
    actor: str | None = None,
    team_id: str | None = None,
    type: str | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
    cursor: int | None = None,
) -> Page[AuditEntryOut]:
    teams = _visible_teams(principal)
    if team_id is not None:
        if teams is not None and team_id not in teams:
            raise forbidden(f"no access to team {team_id}")
        teams = [team_id]
    rows = await state.pool.fetch(
        "SELECT * FROM audit_entries WHERE ($1::text[] IS NULL OR team_id = ANY($1))"
        " AND ($2::text IS NULL OR actor = $2) AND ($3::text IS NULL OR type = $3)"
        " AND ($4::timestamptz IS NULL OR occurred_at >= $4)"
        " AND ($5::timestamptz IS NULL OR occurred_at < $5)"
        " AND chain_seq > $6 ORDER BY chain_seq LIMIT $7",
        teams,
        actor,
        type,
        since,
        until,
        cursor or 0,
        limit + 1,
    )
    items = [_out(r) for r in rows[:limit]]
    more = len(rows) > limit
    # Pages follow the chain's order (commit order), so a reader can check the links as it goes.
    last = rows[limit - 1]["chain_seq"] if more else None
    return Page[AuditEntryOut](items=items, next_cursor=str(last) if more else None)


@router.get("/verify", response_model=AuditVerification)
async def verify(state: State, _admin: OrgAdmin) -> AuditVerification:
    async with state.pool.acquire() as conn, conn.transaction():
        rows = [dict(r) for r in await conn.fetch("SELECT * FROM audit_entries ORDER BY chain_seq")]
    for row in rows:
        row["event_id"] = str(row["event_id"])
    count, broken, why = first_broken(rows)
    return AuditVerification(
        ok=broken is None, entries=count, first_broken_position=broken, detail=why
    )
