"""A minimal service built with the runtime's app factory, for the runtime's own tests:
`python -m cognive_runtime.testing.sample_service` with COGNIVE_SAMPLE_* settings."""

from __future__ import annotations

import asyncio

import structlog
from fastapi import APIRouter, FastAPI
from pydantic_settings import SettingsConfigDict

from cognive_runtime.loops import Loop
from cognive_runtime.service import ServiceResources, create_service_app, serve
from cognive_runtime.settings import ServiceSettings

log = structlog.get_logger(__name__)


class SampleSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="COGNIVE_SAMPLE_", extra="ignore", frozen=True)

    service: str = "ingest"  # borrows a manifest entry: the sample declares ingest's queues
    slow_request_s: float = 1.0


class Ticker:
    """A loop that says when it stops, so a test can see the graceful path."""

    name = "ticker"

    async def run(self, stop: asyncio.Event) -> None:
        log.info("ticker.started")
        await stop.wait()
        log.info("ticker.stopped")


def build_app(settings: SampleSettings) -> FastAPI:
    router = APIRouter()

    @router.get("/slow")
    async def slow() -> dict[str, str]:
        await asyncio.sleep(settings.slow_request_s)
        log.info("slow.done")
        return {"status": "done"}

    def loops(res: ServiceResources) -> list[Loop]:
        return [Ticker(), res.relay()]

    return create_service_app(settings, title="sample", routers=[router], build_loops=loops)


def app_from_env() -> FastAPI:
    return build_app(SampleSettings())


if __name__ == "__main__":
    serve("cognive_runtime.testing.sample_service:app_from_env", SampleSettings())
