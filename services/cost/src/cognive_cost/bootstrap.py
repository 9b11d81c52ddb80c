"""Wiring: cost's routers, migrations and loops on the runtime's service app."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from fastapi import FastAPI

from cognive_cost.api import costs, pricing
from cognive_cost.api.deps import CostState
from cognive_cost.catalog.seeder import CatalogSeeder
from cognive_cost.catalog.store import CatalogCache
from cognive_cost.handlers.directory import directory_handlers
from cognive_cost.handlers.llm_calls import pricing_handlers
from cognive_cost.projections.calls import CallsProjection
from cognive_cost.projections.catalog import CatalogProjection
from cognive_cost.projections.rollups import RollupsProjection
from cognive_cost.repricer import Repricer
from cognive_cost.settings import CostSettings
from cognive_runtime.db import load_migrations
from cognive_runtime.db.migrations import Migration
from cognive_runtime.loops import Loop
from cognive_runtime.projections import Projection
from cognive_runtime.service import ServiceResources, create_service_app

MIGRATIONS = Path(__file__).resolve().parents[2] / "migrations"
CALLS_QUEUE = "cost.llm_calls"
REGISTRY_QUEUE = "cost.registry"


def migrations() -> list[Migration]:
    return load_migrations("cost", MIGRATIONS)


def projections() -> list[Projection]:
    return [CatalogProjection(), CallsProjection(), RollupsProjection()]


def build_loops(
    settings: CostSettings, res: ServiceResources, views: Sequence[Projection]
) -> list[Loop]:
    s = settings
    loops: list[Loop] = [
        res.relay(),
        res.projections(
            views, chunk_size=s.projection_chunk_size, idle_poll_s=s.projection_idle_poll_s
        ),
        res.leader(Repricer(res.pool, s.repricing_chunk, s.repricer_idle_poll_s)),
        # In every replica: the inbox makes concurrent consumption safe.
        res.consumer(CALLS_QUEUE, pricing_handlers(CatalogCache())),
        res.consumer(REGISTRY_QUEUE, directory_handlers()),
    ]
    if s.seed_catalog:
        loops.append(res.leader(CatalogSeeder(res.pool)))
    return loops


def create_app(settings: CostSettings, *, run_loops: bool | None = None) -> FastAPI:
    views = projections()

    async def on_start(app: FastAPI, res: ServiceResources) -> None:
        app.state.cost = CostState(
            pool=res.pool,
            redis=res.redis,
            redis_prefix=res.redis_prefix,
            settings=settings,
            projections=views,
        )

    return create_service_app(
        settings,
        title="Cognive cost",
        description="Prices every LLM call from an effective-dated catalog; cost trends.",
        routers=[pricing.router, costs.router],
        migrations=migrations(),
        build_loops=lambda res: build_loops(settings, res, views),
        on_start=on_start,
        run_loops=settings.loops_enabled if run_loops is None else run_loops,
    )
