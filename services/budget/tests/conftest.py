"""Budget under test: the real app (lifespan, loops) on a fresh schema with real Postgres,
RabbitMQ and Redis, driven in-process through httpx's ASGI transport; events arrive
through the broker as cost's, ingest's and registry's relays would publish them."""

from __future__ import annotations

import contextlib
import itertools
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest_asyncio
from aio_pika.abc import AbstractRobustConnection
from fastapi import FastAPI

from cognive_budget.bootstrap import create_app
from cognive_budget.settings import BudgetSettings
from cognive_contracts.events.base import ApiKeyScope, EventPayload, TokenUsage
from cognive_contracts.events.cost import CostBreakdown, LlmCallPricedV1, PriceProvenance
from cognive_contracts.events.registry import AgentRegisteredV1, ApiKeyIssuedV1
from cognive_contracts.topology import TopologyManifest
from cognive_runtime.auth import generate_api_key
from cognive_runtime.testing.apps import running_app
from cognive_runtime.testing.people import person_headers, wait_for_value
from cognive_runtime.testing.publishing import publish

_APPS = itertools.count(1)


class FakeClock:
    """Real time plus an offset a test can move (period roll-over)."""

    def __init__(self) -> None:
        self.offset = timedelta(0)

    def __call__(self) -> datetime:
        return datetime.now(UTC) + self.offset


@dataclass
class Budget:
    app: FastAPI
    client: httpx.AsyncClient
    settings: BudgetSettings
    amqp: AbstractRobustConnection
    topology: TopologyManifest
    clock: FakeClock
    keys: dict[str, str] = field(default_factory=dict)

    @property
    def state(self) -> Any:
        return self.app.state.budget

    @property
    def pool(self) -> Any:
        return self.state.pool

    async def send(self, payload: EventPayload, subject: str, **kw: Any) -> None:
        await publish(self.amqp, self.topology, payload, subject, **kw)

    async def key(self, team_id: str, scopes: list[ApiKeyScope]) -> dict[str, str]:
        """An API key issued by registry, as budget learns it: through the broker."""
        key = generate_api_key("dev")
        await self.send(
            ApiKeyIssuedV1(
                key_id=key.key_id,
                name="sdk",
                prefix=key.prefix,
                secret_sha256=key.secret_sha256_hex,
                team_id=team_id,
                scopes=scopes,
                issued_at=datetime.now(UTC) - timedelta(minutes=1),
            ),
            f"api_key-{key.key_id}",
        )
        await self.wait_sql("SELECT 1 FROM api_keys WHERE key_id = $1", key.key_id)
        self.keys[key.key_id] = team_id
        return {"Authorization": f"Bearer {key.plaintext}"}

    async def agent(self, agent_id: str, team_id: str, models: list[str]) -> None:
        await self.send(
            AgentRegisteredV1(
                agent_id=agent_id,
                team_id=team_id,
                name=agent_id,
                framework="custom",
                environment="prod",
                allowed_models=models,
            ),
            f"agent-{agent_id}",
        )
        await self.wait_sql("SELECT 1 FROM agents WHERE agent_id = $1", agent_id)

    def person(self, roles: list[tuple[str, str]], org_role: str | None = None) -> dict[str, str]:
        return person_headers(self.settings, roles, org_role)

    async def wait_sql(self, sql: str, *args: Any, timeout: float = 15.0) -> Any:
        return await wait_for_value(self.pool, sql, *args, timeout=timeout)

    async def create_budget(self, who: dict[str, str], **body: Any) -> dict[str, Any]:
        response = await self.client.post("/v1/budgets", json=body, headers=who)
        assert response.status_code == 201, response.text
        return dict(response.json())


def priced(
    *,
    agent_id: str,
    total_micros: int,
    team_id: str | None = None,
    run_id: str = "run-1",
    model: str = "gpt-4o",
    reservation_id: str | None = None,
    occurred_at: datetime | None = None,
    call_id: str | None = None,
    tokens: int = 1_000,
) -> LlmCallPricedV1:
    return LlmCallPricedV1(
        call_id=call_id or uuid.uuid4().hex,
        run_id=run_id,
        agent_id=agent_id,
        team_id=team_id,
        provider="openai",
        model=model,
        occurred_at=occurred_at or datetime.now(UTC),
        usage=TokenUsage(input_tokens=tokens // 2, output_tokens=tokens - tokens // 2),
        breakdown=CostBreakdown(input_micros=total_micros),
        total_micros=total_micros,
        price=PriceProvenance(
            catalog_source="genai-prices",
            catalog_version="test",
            price_id="p1",
            effective_from=datetime(2024, 1, 1, tzinfo=UTC),
        ),
        reservation_id=reservation_id,
    )


def budget_settings(
    test_run_id: str, amqp_prefix: str, redis_prefix: str, **overrides: Any
) -> BudgetSettings:
    n = next(_APPS)
    values: dict[str, Any] = {
        "db_schema": f"{test_run_id}_budget_{n}",
        "amqp_prefix": amqp_prefix,
        "redis_prefix": f"{redis_prefix}{n}:",
        "db_pool_min": 1,
        "db_pool_max": 8,
        "projection_idle_poll_s": 0.02,
        "rebuild_poll_s": 0.05,
        "expiry_interval_s": 0.2,
        "roller_interval_s": 0.2,
        "policy_refresh_s": 0.2,
        "agent_cache_ttl_s": 0.0,
        # The concurrency tests send 1,000 checks at once with one key.
        "rate_limit_per_key_per_s": 100_000,
        "shutdown_grace_s": 10.0,
        "log_level": "WARNING",
        **overrides,
    }
    return BudgetSettings(**values)


@pytest_asyncio.fixture
async def make_budget(
    test_run_id: str,
    amqp_prefix: str,
    redis_prefix: str,
    clean_queues: TopologyManifest,
    amqp_connection: AbstractRobustConnection,
    redis_client: Any,
    schemas: Any,
) -> AsyncIterator[Callable[..., Awaitable[Budget]]]:
    async with contextlib.AsyncExitStack() as stack:

        async def make(settings: BudgetSettings | None = None, **overrides: Any) -> Budget:
            settings = settings or budget_settings(
                test_run_id, amqp_prefix, redis_prefix, **overrides
            )
            clock = FakeClock()
            app = create_app(settings, clock=clock)
            client = await stack.enter_async_context(running_app(app, "http://budget.test"))
            budget = Budget(app, client, settings, amqp_connection, clean_queues, clock)
            await budget.wait_sql("SELECT 1")
            return budget

        yield make


@pytest_asyncio.fixture
async def budget(make_budget: Callable[..., Awaitable[Budget]]) -> Budget:
    b = await make_budget()
    # Ready once the rebuild loop has declared the (empty) Redis state ready.
    import asyncio

    for _ in range(200):
        if await b.state.store.is_ready():
            break
        await asyncio.sleep(0.05)
    return b
