"""Registry under test: the real app (lifespan, loops) on a fresh schema with real
Postgres, RabbitMQ and Redis, driven in-process through httpx's ASGI transport."""

from __future__ import annotations

import contextlib
import itertools
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import httpx
import pytest_asyncio
from fastapi import FastAPI

from cognive_contracts.topology import TopologyManifest
from cognive_registry.bootstrap import create_app
from cognive_registry.settings import RegistrySettings
from cognive_runtime.testing.apps import running_app

ADMIN_EMAIL = "root@example.com"
_SCHEMAS = itertools.count(1)


@dataclass
class Registry:
    app: FastAPI
    client: httpx.AsyncClient
    settings: RegistrySettings

    @property
    def pool(self) -> Any:
        return self.app.state.registry.pool

    async def login(self, email: str = ADMIN_EMAIL) -> dict[str, str]:
        response = await self.client.post("/v1/auth/dev-login", json={"email": email})
        assert response.status_code == 200, response.text
        return {"Authorization": f"Bearer {response.json()['access_token']}"}

    async def team(self, admin: dict[str, str], team_id: str) -> None:
        response = await self.client.post(
            "/v1/teams", json={"team_id": team_id, "name": team_id.upper()}, headers=admin
        )
        assert response.status_code == 201, response.text

    async def person(
        self, admin: dict[str, str], email: str, team_id: str | None = None, role: str | None = None
    ) -> dict[str, str]:
        created = await self.client.post("/v1/users", json={"email": email}, headers=admin)
        assert created.status_code == 201, created.text
        if team_id and role:
            granted = await self.client.post(
                f"/v1/users/{created.json()['user_id']}/roles",
                json={"team_id": team_id, "role": role},
                headers=admin,
            )
            assert granted.status_code == 200, granted.text
        return await self.login(email)

    async def key(self, admin: dict[str, str], team_id: str, scopes: list[str]) -> dict[str, str]:
        response = await self.client.post(
            "/v1/api-keys", json={"team_id": team_id, "name": "k", "scopes": scopes}, headers=admin
        )
        assert response.status_code == 201, response.text
        return {"Authorization": f"Bearer {response.json()['api_key']}"}


def registry_settings(test_run_id: str, amqp_prefix: str, redis_prefix: str) -> RegistrySettings:
    return RegistrySettings(
        db_schema=f"{test_run_id}_registry_app_{next(_SCHEMAS)}",
        amqp_prefix=amqp_prefix,
        redis_prefix=redis_prefix,
        bootstrap_admin_email=ADMIN_EMAIL,
        db_pool_min=1,
        db_pool_max=6,
        log_level="WARNING",
        shutdown_grace_s=10.0,
    )


@pytest_asyncio.fixture
async def make_registry(
    test_run_id: str,
    amqp_prefix: str,
    redis_prefix: str,
    clean_queues: TopologyManifest,
    schemas: Any,
) -> AsyncIterator[Callable[[], Awaitable[Registry]]]:
    """Depends on `schemas` so that the session drops the apps' schemas (they carry the run
    id) and on `clean_queues` so that the run's exchanges exist and its queues are empty:
    another service's test of the session may have left admin events in `registry.audit`,
    which a registry would otherwise record in its log."""
    async with contextlib.AsyncExitStack() as stack:

        async def make() -> Registry:
            settings = registry_settings(test_run_id, amqp_prefix, redis_prefix)
            app = create_app(settings)
            client = await stack.enter_async_context(running_app(app, "http://registry.test"))
            return Registry(app=app, client=client, settings=settings)

        yield make


@pytest_asyncio.fixture
async def registry(make_registry: Callable[[], Awaitable[Registry]]) -> Registry:
    return await make_registry()
