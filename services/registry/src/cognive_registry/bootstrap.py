"""Wiring: registry's routers, migrations and loops on the runtime's service app."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import structlog
from fastapi import FastAPI

from cognive_registry.api import agents, api_keys, audit, auth, teams, users
from cognive_registry.api.deps import RegistryState
from cognive_registry.domain.users import create_user, fold_user, user_id_for
from cognive_registry.handlers.audit import audit_handlers
from cognive_registry.projections import AuditProjection, DirectoryProjection
from cognive_registry.settings import RegistrySettings
from cognive_runtime.commands import catch_up, execute
from cognive_runtime.db import load_migrations
from cognive_runtime.db.migrations import Migration
from cognive_runtime.loops import Loop
from cognive_runtime.projections import Projection
from cognive_runtime.projections.base import pooled_connection
from cognive_runtime.service import ServiceResources, create_service_app

log = structlog.get_logger(__name__)

MIGRATIONS = Path(__file__).resolve().parents[2] / "migrations"
AUDIT_QUEUE = "registry.audit"


def migrations() -> list[Migration]:
    return load_migrations("registry", MIGRATIONS)


def projections() -> list[Projection]:
    return [DirectoryProjection(), AuditProjection()]


def build_loops(res: ServiceResources, views: Sequence[Projection]) -> list[Loop]:
    return [
        res.relay(),
        res.projections(views),
        res.consumer(AUDIT_QUEUE, audit_handlers()),
    ]


async def ensure_bootstrap_admin(state: RegistryState) -> None:
    """The first organisation admin (ADR 0007): created once, by the system."""
    email = state.settings.bootstrap_admin_email
    if not email:
        return
    user_id = user_id_for(email)
    async with pooled_connection(state.pool) as conn, conn.transaction():
        existing, _ = await execute(
            conn,
            f"user-{user_id}",
            fold_user,
            lambda user: [] if user else create_user(None, email, "Bootstrap admin", "admin"),
            "system:bootstrap",
        )
    if existing is None:
        log.info("registry.bootstrap_admin_created", user_id=user_id)
    await catch_up(state.pool, state.projections)


def create_app(settings: RegistrySettings, *, run_loops: bool = True) -> FastAPI:
    views = projections()

    async def on_start(app: FastAPI, res: ServiceResources) -> None:
        state = RegistryState(
            pool=res.pool, settings=settings, projections=views, keys=res.api_keys.projection
        )
        app.state.registry = state
        await ensure_bootstrap_admin(state)

    return create_service_app(
        settings,
        title="Cognive registry",
        description="Teams, agents, API keys, people and roles; the audit trail.",
        routers=[
            teams.router,
            agents.router,
            api_keys.router,
            users.router,
            auth.router,
            audit.router,
        ],
        migrations=migrations(),
        build_loops=lambda res: build_loops(res, views),
        on_start=on_start,
        run_loops=run_loops,
    )


def app_from_env() -> FastAPI:
    return create_app(RegistrySettings())
