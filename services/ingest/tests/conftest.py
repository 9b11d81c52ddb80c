"""Ingest under test: the real app (lifespan, loops) on a fresh schema, real Postgres,
RabbitMQ and Redis, driven in-process through httpx's ASGI transport."""

from __future__ import annotations

import contextlib
import itertools
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest_asyncio
from fastapi import FastAPI

from cognive_contracts.envelope import CloudEvent, dataschema_for, source_for, type_for
from cognive_contracts.events.base import ApiKeyScope, EventPayload
from cognive_contracts.events.registry import ApiKeyIssuedV1, ApiKeyRevokedV1
from cognive_contracts.topology import TopologyManifest
from cognive_ingest.bootstrap import create_app
from cognive_ingest.settings import IngestSettings
from cognive_runtime.auth import ApiKeyStore, RoleBinding, generate_api_key, issue_dev_token
from cognive_runtime.auth.api_key_format import GeneratedKey
from cognive_runtime.consumer.types import Inbound
from cognive_runtime.testing.apps import running_app

_SCHEMAS = itertools.count(1)


def cloud_event(payload: EventPayload, subject: str, sequence: int | None = None) -> CloudEvent:
    return CloudEvent(
        id=uuid.uuid4(),
        source=source_for("registry"),
        type=type_for(payload.event_type),
        subject=subject,
        time=datetime.now(UTC),
        dataschema=dataschema_for(payload.event_type),
        data=payload.model_dump(mode="json"),
        sequence=sequence,
        actor="user:admin",
    )


@dataclass
class Ingest:
    app: FastAPI
    client: httpx.AsyncClient
    settings: IngestSettings

    @property
    def pool(self) -> Any:
        return self.app.state.ingest.pool

    async def issue_key(
        self,
        scopes: list[ApiKeyScope],
        team_id: str = "team-a",
        expires_at: datetime | None = None,
    ) -> GeneratedKey:
        """A key put straight into the projection (the event path has its own tests)."""
        key = generate_api_key("dev")
        payload = ApiKeyIssuedV1(
            key_id=key.key_id,
            name="sdk",
            prefix=key.prefix,
            secret_sha256=key.secret_sha256_hex,
            team_id=team_id,
            scopes=scopes,
            issued_at=datetime.now(UTC) - timedelta(minutes=1),
            expires_at=expires_at,
        )
        await self._project(
            lambda store, conn: store.projection.on_issued(
                conn, [Inbound(cloud_event(payload, f"api_key-{key.key_id}"), payload)]
            )
        )
        return key

    async def revoke_key(self, key: GeneratedKey, team_id: str = "team-a") -> None:
        payload = ApiKeyRevokedV1(key_id=key.key_id, team_id=team_id, revoked_at=datetime.now(UTC))
        await self._project(
            lambda store, conn: store.projection.on_revoked(
                conn, [Inbound(cloud_event(payload, f"api_key-{key.key_id}"), payload)]
            )
        )

    async def _project(self, apply: Callable[[ApiKeyStore, Any], Awaitable[None]]) -> None:
        store: ApiKeyStore = self.app.state.api_keys
        async with self.pool.acquire() as conn, conn.transaction():
            await apply(store, conn)

    def token(self, roles: list[tuple[str, str]], org_role: str | None = None) -> str:
        return issue_dev_token(
            self.settings,
            f"user-{uuid.uuid4().hex[:8]}",
            [RoleBinding(team, role) for team, role in roles],  # type: ignore[arg-type]
            org_role=org_role,  # type: ignore[arg-type]
        )


def ingest_settings(
    test_run_id: str, amqp_prefix: str, redis_prefix: str, **overrides: Any
) -> IngestSettings:
    values: dict[str, Any] = {
        "db_schema": f"{test_run_id}_ingest_app_{next(_SCHEMAS)}",
        "amqp_prefix": amqp_prefix,
        "redis_prefix": redis_prefix,
        "db_pool_min": 1,
        "db_pool_max": 6,
        "projection_idle_poll_s": 0.05,
        "policy_idle_poll_s": 0.05,
        "shutdown_grace_s": 10.0,
        "log_level": "WARNING",
        **overrides,
    }
    return IngestSettings(**values)


@pytest_asyncio.fixture
async def make_ingest(
    test_run_id: str,
    amqp_prefix: str,
    redis_prefix: str,
    topology: TopologyManifest,
    schemas: Any,
) -> AsyncIterator[Callable[..., Awaitable[Ingest]]]:
    """Builds and starts ingest apps; all are shut down at the end of the test. Depends on
    `schemas` so that the session drops the apps' schemas (they carry the run id)."""
    async with contextlib.AsyncExitStack() as stack:

        async def make(**overrides: Any) -> Ingest:
            settings = ingest_settings(test_run_id, amqp_prefix, redis_prefix, **overrides)
            app = create_app(settings)
            client = await stack.enter_async_context(running_app(app, "http://ingest.test"))
            return Ingest(app=app, client=client, settings=settings)

        yield make


@pytest_asyncio.fixture
async def ingest(make_ingest: Callable[..., Awaitable[Ingest]]) -> Ingest:
    return await make_ingest()
