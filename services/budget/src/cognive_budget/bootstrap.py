"""Wiring: budget's routers, migrations and loops on the runtime's service app."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from fastapi import FastAPI

from cognive_budget.api import blocked, budgets, checks
from cognive_budget.api.deps import BudgetState
from cognive_budget.handlers.directory import directory_handlers, run_handlers
from cognive_budget.handlers.spend import spend_handlers
from cognive_budget.preflight.checker import Checker
from cognive_budget.preflight.loops import Clock, RedisRebuilder, ReservationExpiry, utc_now
from cognive_budget.preflight.store import PreflightStore
from cognive_budget.preflight.views import AgentView, PolicyView
from cognive_budget.projections.blocked import BlockedCallsProjection
from cognive_budget.projections.policies import PoliciesProjection
from cognive_budget.projections.redis_counters import RedisCountersProjection
from cognive_budget.rollover import PeriodRoller
from cognive_budget.settings import BudgetSettings
from cognive_runtime.db import load_migrations
from cognive_runtime.db.migrations import Migration
from cognive_runtime.loops import Loop
from cognive_runtime.projections import Projection
from cognive_runtime.service import ServiceResources, create_service_app

MIGRATIONS = Path(__file__).resolve().parents[2] / "migrations"
SPEND_QUEUE = "budget.spend"
RUNS_QUEUE = "budget.runs"
REGISTRY_QUEUE = "budget.registry"


def migrations() -> list[Migration]:
    return load_migrations("budget", MIGRATIONS)


def projections() -> list[Projection]:
    return [PoliciesProjection(), BlockedCallsProjection()]


def build_loops(
    settings: BudgetSettings,
    res: ServiceResources,
    state: BudgetState,
    views: Sequence[Projection],
) -> list[Loop]:
    s = settings
    return [
        res.relay(),
        res.projections(
            [*views, RedisCountersProjection(state.store)],
            chunk_size=s.projection_chunk_size,
            idle_poll_s=s.projection_idle_poll_s,
        ),
        res.leader(RedisRebuilder(res.pool, state.store, s.rebuild_poll_s, state.clock)),
        res.leader(ReservationExpiry(state.store, s.expiry_interval_s, state.clock)),
        res.leader(PeriodRoller(res.pool, views, s.roller_interval_s, state.clock)),
        # In every replica: the inbox makes concurrent consumption safe.
        res.consumer(SPEND_QUEUE, spend_handlers()),
        res.consumer(RUNS_QUEUE, run_handlers()),
        res.consumer(REGISTRY_QUEUE, directory_handlers()),
        state.policy_view,
    ]


def create_app(
    settings: BudgetSettings, *, run_loops: bool | None = None, clock: Clock = utc_now
) -> FastAPI:
    views = projections()
    holder: dict[str, BudgetState] = {}

    def state_for(res: ServiceResources) -> BudgetState:
        if "state" not in holder:
            store = PreflightStore(res.redis, res.redis_prefix)
            policy_view = PolicyView(res.pool, settings.policy_refresh_s)
            agents = AgentView(res.pool, settings.agent_cache_ttl_s)
            holder["state"] = BudgetState(
                pool=res.pool,
                settings=settings,
                projections=views,
                store=store,
                policy_view=policy_view,
                checker=Checker(res.pool, store, policy_view, agents, settings, clock),
                clock=clock,
            )
        return holder["state"]

    async def on_start(app: FastAPI, res: ServiceResources) -> None:
        state = state_for(res)
        await state.policy_view.refresh()
        app.state.budget = state
        # A new replica takes checks only once the counters are in Redis (after that, a
        # Redis loss makes checks fail closed with 429 instead).
        res.startup_checks["budget-counters"] = state.store.is_ready

    async def on_stop(app: FastAPI, res: ServiceResources) -> None:
        holder.clear()

    return create_service_app(
        settings,
        title="Cognive budget",
        description="Budgets per run, agent, team and org; the pre-flight check; alerts.",
        routers=[budgets.router, checks.router, blocked.router],
        migrations=migrations(),
        build_loops=lambda res: build_loops(settings, res, state_for(res), views),
        on_start=on_start,
        on_stop=on_stop,
        run_loops=settings.loops_enabled if run_loops is None else run_loops,
    )
