"""Wiring: ingest's routers, migrations and loops on the runtime's service app. No
module-level clients: the runtime opens them in the lifespan and passes them down."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from fastapi import FastAPI

from cognive_ingest.api import events, runs, violations
from cognive_ingest.api.deps import IngestState
from cognive_ingest.api.openapi import install_openapi
from cognive_ingest.handlers.registry_agents import agent_handlers
from cognive_ingest.processors.policy_checker import PolicyChecker
from cognive_ingest.projections import RunsProjection, ViolationsProjection
from cognive_ingest.settings import IngestSettings
from cognive_runtime.db import load_migrations
from cognive_runtime.db.migrations import Migration
from cognive_runtime.loops import Loop
from cognive_runtime.service import ServiceResources, create_service_app

MIGRATIONS = Path(__file__).resolve().parents[2] / "migrations"
# registry.agent.* and registry.api_key.* (the runtime adds the API-key projection's
# handlers to a queue that carries registry.api_key.*).
CONSUMED_QUEUE = "ingest.registry"


def migrations() -> list[Migration]:
    return load_migrations("ingest", MIGRATIONS)


def build_loops(settings: IngestSettings, res: ServiceResources) -> Sequence[Loop]:
    return [
        res.relay(),
        res.projections(
            [RunsProjection(), ViolationsProjection()],
            chunk_size=settings.projection_chunk_size,
            idle_poll_s=settings.projection_idle_poll_s,
        ),
        res.leader(
            PolicyChecker(
                res.pool,
                settings.service,
                chunk_size=settings.policy_chunk_size,
                idle_poll_s=settings.policy_idle_poll_s,
                signal=res.log_signal,
            )
        ),
        # In every replica: the inbox makes concurrent consumption safe.
        res.consumer(CONSUMED_QUEUE, agent_handlers()),
    ]


def create_app(settings: IngestSettings, *, run_loops: bool | None = None) -> FastAPI:
    async def on_start(app: FastAPI, res: ServiceResources) -> None:
        app.state.ingest = IngestState(pool=res.pool, settings=settings)

    app = create_service_app(
        settings,
        title="Cognive ingest",
        description="Telemetry of AI agents: runs, steps, LLM calls, tool calls; policy checks.",
        routers=[events.router, runs.router, violations.router],
        migrations=migrations(),
        build_loops=lambda res: build_loops(settings, res),
        on_start=on_start,
        run_loops=settings.loops_enabled if run_loops is None else run_loops,
    )
    install_openapi(app, events.REQUEST_MODELS)
    return app
