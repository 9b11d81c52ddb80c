"""What the routes need, as typed FastAPI dependencies."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass
from typing import Annotated

import asyncpg
from fastapi import Depends, Request

from cognive_registry.domain.errors import DomainError
from cognive_registry.settings import RegistrySettings
from cognive_runtime.auth import ApiKeyPrincipal, AuthDep, Principal, UserPrincipal
from cognive_runtime.auth.key_projection import ApiKeyProjection
from cognive_runtime.eventlog import ConcurrencyError
from cognive_runtime.problems import FieldProblem, ProblemError, problem_type
from cognive_runtime.projections import Projection
from cognive_runtime.projections.base import pooled_connection


@dataclass
class RegistryState:
    pool: asyncpg.Pool
    settings: RegistrySettings
    projections: Sequence[Projection]
    keys: ApiKeyProjection


def registry_state(request: Request) -> RegistryState:
    state: RegistryState = request.app.state.registry
    return state


State = Annotated[RegistryState, Depends(registry_state)]


@contextlib.asynccontextmanager
async def command(state: RegistryState) -> AsyncIterator[asyncpg.Connection]:
    """One transaction for a command; domain refusals and write races become problems."""
    try:
        async with pooled_connection(state.pool) as conn, conn.transaction():
            yield conn
    except DomainError as exc:
        raise ProblemError(
            exc.status,
            {404: "Not Found", 409: "Conflict"}.get(exc.status, "Bad Request"),
            exc.detail,
            type=problem_type("registry-rule"),
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


def require_org_admin(principal: AuthDep) -> UserPrincipal:
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
