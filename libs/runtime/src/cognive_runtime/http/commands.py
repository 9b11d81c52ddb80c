"""What every service's command routes share: one transaction per command whose domain
refusals and write races become problem+json, and the common refusals and read scopes."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from typing import Annotated

import asyncpg
from fastapi import Depends

from cognive_runtime.auth import ApiKeyPrincipal, AuthDep, Principal, UserPrincipal
from cognive_runtime.domain_errors import DomainError
from cognive_runtime.eventlog import ConcurrencyError
from cognive_runtime.problems import FieldProblem, ProblemError, problem_type
from cognive_runtime.projections.base import pooled_connection


@contextlib.asynccontextmanager
async def command(
    pool: asyncpg.Pool, rule: str = "domain-rule"
) -> AsyncIterator[asyncpg.Connection]:
    """One transaction for a command; domain refusals and write races become problems."""
    try:
        async with pooled_connection(pool) as conn, conn.transaction():
            yield conn
    except DomainError as exc:
        raise ProblemError(
            exc.status,
            {404: "Not Found", 409: "Conflict"}.get(exc.status, "Bad Request"),
            exc.detail,
            type=problem_type(rule),
            errors=[FieldProblem(exc.field, exc.detail)] if exc.field else [],
        ) from exc
    except ConcurrencyError as exc:
        raise ProblemError(
            409, "Conflict", "changed concurrently; retry", type=problem_type("concurrent-change")
        ) from exc


def forbidden(detail: str) -> ProblemError:
    return ProblemError(403, "Forbidden", detail, type=problem_type("forbidden"))


def not_found(what: str) -> ProblemError:
    return ProblemError(404, "Not Found", f"{what} not found", type=problem_type("not-found"))


async def require_org_admin(principal: AuthDep) -> UserPrincipal:
    if not (isinstance(principal, UserPrincipal) and principal.is_org_admin):
        raise forbidden("requires an organisation admin")
    return principal


OrgAdmin = Annotated[UserPrincipal, Depends(require_org_admin)]


def readable_teams(principal: Principal) -> list[str] | None:
    """Teams whose resources the caller may read; None means every team."""
    if isinstance(principal, ApiKeyPrincipal):
        return [principal.team_id] if principal.has_scope("read") else []
    if principal.org_role is not None:
        return None
    return [b.team_id for b in principal.roles]


def teams_in_scope(principal: Principal, team_id: str | None) -> list[str] | None:
    """The teams a listing covers: the caller's readable teams, narrowed to `team_id` when
    given (403 if the caller may not read it); None means every team."""
    teams = readable_teams(principal)
    if teams is not None and not teams:
        raise forbidden("requires a role in a team or the read scope")
    if team_id is None:
        return teams
    if teams is not None and team_id not in teams:
        raise forbidden(f"no access to team {team_id}")
    return [team_id]
