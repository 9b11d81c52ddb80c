"""Cost under test: the real app (lifespan, loops, catalog seeded from genai-prices) on a
fresh schema with real Postgres, RabbitMQ and Redis; recorded calls arrive through the
broker as ingest's relay would publish them."""

from __future__ import annotations

import contextlib
import itertools
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest_asyncio
from aio_pika.abc import AbstractRobustConnection
from fastapi import FastAPI

from cognive_contracts.events.base import EventPayload, TokenUsage
from cognive_contracts.events.ingest import LlmCallRecordedV1
from cognive_contracts.topology import TopologyManifest
from cognive_cost.bootstrap import create_app
from cognive_cost.settings import CostSettings
from cognive_runtime.testing.apps import running_app
from cognive_runtime.testing.people import person_headers, wait_for_value
from cognive_runtime.testing.publishing import publish

_APPS = itertools.count(1)


@dataclass
class Cost:
    app: FastAPI
    client: httpx.AsyncClient
    settings: CostSettings
    amqp: AbstractRobustConnection
    topology: TopologyManifest

    @property
    def pool(self) -> Any:
        return self.app.state.cost.pool

    async def send(self, payload: EventPayload, subject: str = "run", **kw: Any) -> None:
        await publish(self.amqp, self.topology, payload, subject, **kw)

    def person(self, roles: list[tuple[str, str]], org_role: str | None = None) -> dict[str, str]:
        return person_headers(self.settings, roles, org_role)

    @property
    def admin(self) -> dict[str, str]:
        return self.person([], org_role="admin")

    async def wait_sql(self, sql: str, *args: Any, timeout: float = 20.0) -> Any:
        return await wait_for_value(self.pool, sql, *args, timeout=timeout)

    async def events_of(self, call_id: str) -> list[tuple[str, dict[str, Any]]]:
        rows = await self.pool.fetch(
            "SELECT type, data FROM events WHERE stream_id = $1 ORDER BY stream_version",
            f"call-{call_id}",
        )
        return [(r["type"], r["data"]) for r in rows]


def recorded(
    model: str = "gpt-4o",
    provider: str = "openai",
    *,
    agent_id: str = "bot-1",
    team_id: str | None = "cx",
    input_tokens: int = 1_000,
    output_tokens: int = 500,
    cached: int = 0,
    occurred_at: datetime | None = None,
    call_id: str | None = None,
    reservation_id: str | None = None,
) -> LlmCallRecordedV1:
    return LlmCallRecordedV1(
        run_id="run-1",
        agent_id=agent_id,
        team_id=team_id,
        occurred_at=occurred_at or datetime.now(UTC),
        call_id=call_id or uuid.uuid4().hex,
        provider=provider,
        model=model,
        usage=TokenUsage(
            input_tokens=input_tokens, output_tokens=output_tokens, cached_input_tokens=cached
        ),
        latency_ms=100,
        status="ok",
        reservation_id=reservation_id,
    )


@pytest_asyncio.fixture
async def make_cost(
    test_run_id: str,
    amqp_prefix: str,
    redis_prefix: str,
    clean_queues: TopologyManifest,
    amqp_connection: AbstractRobustConnection,
    redis_client: Any,
    schemas: Any,
) -> AsyncIterator[Callable[..., Awaitable[Cost]]]:
    async with contextlib.AsyncExitStack() as stack:

        async def make(settings: CostSettings | None = None, **overrides: Any) -> Cost:
            n = next(_APPS)
            settings = settings or CostSettings(
                **{
                    "db_schema": f"{test_run_id}_cost_{n}",
                    "amqp_prefix": amqp_prefix,
                    "redis_prefix": f"{redis_prefix}{n}:",
                    "db_pool_min": 1,
                    "db_pool_max": 8,
                    "projection_idle_poll_s": 0.02,
                    "repricer_idle_poll_s": 0.05,
                    "shutdown_grace_s": 10.0,
                    "log_level": "WARNING",
                    **overrides,
                }
            )
            app = create_app(settings)
            client = await stack.enter_async_context(running_app(app, "http://cost.test"))
            cost = Cost(app, client, settings, amqp_connection, clean_queues)
            if settings.seed_catalog:
                await cost.wait_sql("SELECT count(*) > 2000 FROM prices", timeout=60)
            return cost

        yield make


@pytest_asyncio.fixture
async def cost(make_cost: Callable[..., Awaitable[Cost]]) -> Cost:
    return await make_cost()
