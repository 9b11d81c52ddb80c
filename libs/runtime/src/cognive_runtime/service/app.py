"""The FastAPI app every service is: its routers plus what all five share.

Nothing is opened at import or construction: the lifespan migrates, opens the clients,
puts the auth objects on `app.state` (`api_keys`, `jwt_verifier`, `rate_limiter`, read by
`cognive_runtime.auth.dependencies`), starts the loops, and on shutdown stops the loops
(consumers finish in-flight messages, the relay flushes, leader locks are released)
before closing the clients."""

from __future__ import annotations

import contextlib
import gc
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence

import structlog
from fastapi import APIRouter, FastAPI
from fastapi.middleware.cors import CORSMiddleware
from opentelemetry.instrumentation.fastapi import FastAPIInstrumentor

from cognive_runtime.db.migrations import Migration
from cognive_runtime.loops import Loop, LoopGroup
from cognive_runtime.service import health
from cognive_runtime.service.errors import install_problem_handlers
from cognive_runtime.service.resources import ServiceResources, close_resources, open_resources
from cognive_runtime.service.sampler import MetricsSampler
from cognive_runtime.settings import ServiceSettings

log = structlog.get_logger(__name__)

BuildLoops = Callable[[ServiceResources], Sequence[Loop]]
OnStart = Callable[[FastAPI, ServiceResources], Awaitable[None]]


def create_service_app(
    settings: ServiceSettings,
    *,
    title: str,
    version: str = "1.0.0",
    routers: Sequence[APIRouter] = (),
    migrations: Sequence[Migration] = (),
    build_loops: BuildLoops | None = None,
    on_start: OnStart | None = None,
    on_stop: OnStart | None = None,
    run_loops: bool = True,
    description: str = "",
) -> FastAPI:
    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        res = await open_resources(settings, migrations)
        app.state.resources = res
        app.state.settings = settings
        app.state.api_keys = res.api_keys
        app.state.jwt_verifier = res.jwt_verifier
        app.state.rate_limiter = res.rate_limiter
        loops: list[Loop] = [MetricsSampler(res)]
        if res.log_signal is not None:
            loops.append(res.log_signal)
        if run_loops and build_loops is not None:
            loops.extend(build_loops(res))
        group = LoopGroup(loops)
        try:
            if on_start is not None:
                await on_start(app, res)
            # What exists now (modules, settings, caches such as cost's catalog) lives as
            # long as the process: keep it out of the collector's full passes.
            gc.freeze()
            group.start()
            res.started = True
            log.info("service.started", loops=[loop.name for loop in loops])
            yield
        finally:
            log.info("service.stopping")
            await group.stop(settings.shutdown_grace_s)
            if on_stop is not None:
                await on_stop(app, res)
            await close_resources(res)
            log.info("service.stopped")

    # Requests allocate thousands of short-lived objects; with the default thresholds the
    # collector's passes showed as 100 ms outliers in the p99 of ingest's batches and of
    # cost's trends (bench/ingest.py, bench/cost.py).
    gc.set_threshold(50_000, 20, 20)
    app = FastAPI(title=title, version=version, description=description, lifespan=lifespan)
    install_problem_handlers(app)
    if settings.cors_origins:
        app.add_middleware(
            CORSMiddleware,
            allow_origins=list(settings.cors_origins),
            allow_credentials=False,
            allow_methods=["*"],
            allow_headers=["*"],
            expose_headers=["Retry-After", "Location"],
        )
    app.include_router(health.router)
    for router in routers:
        app.include_router(router)
    FastAPIInstrumentor.instrument_app(app, excluded_urls="health/.*,metrics")
    return app
