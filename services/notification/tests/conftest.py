"""Notification under test: the real app on a fresh schema with real Postgres, RabbitMQ
and Redis; alert events arrive through the broker; webhooks reach a local receiver
through the SSRF guard (127.0.0.1 allow-listed), e-mail an aiosmtpd sink."""

from __future__ import annotations

import contextlib
import itertools
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest_asyncio
from aio_pika.abc import AbstractRobustConnection
from fastapi import FastAPI

from cognive_contracts.events.base import EventPayload
from cognive_contracts.events.budget import BudgetThresholdCrossedV1
from cognive_contracts.topology import TopologyManifest
from cognive_notification.bootstrap import create_app
from cognive_notification.settings import NotificationSettings
from cognive_runtime.testing.apps import running_app
from cognive_runtime.testing.people import person_headers, wait_for_value
from cognive_runtime.testing.publishing import publish

from .peers import FakeResolver, LoopbackOnly

_APPS = itertools.count(1)


@dataclass
class Notification:
    app: FastAPI
    client: httpx.AsyncClient
    settings: NotificationSettings
    amqp: AbstractRobustConnection
    topology: TopologyManifest
    transport: LoopbackOnly
    resolver: FakeResolver

    @property
    def pool(self) -> Any:
        return self.app.state.notification.pool

    async def send(self, payload: EventPayload, subject: str = "x", **kw: Any) -> Any:
        return await publish(self.amqp, self.topology, payload, subject, **kw)

    def person(self, roles: list[tuple[str, str]], org_role: str | None = None) -> dict[str, str]:
        return person_headers(self.settings, roles, org_role)

    @property
    def lead(self) -> dict[str, str]:
        return self.person([("cx", "team_lead")])

    async def channel(self, **body: Any) -> dict[str, Any]:
        response = await self.client.post(
            "/v1/channels", json={"team_id": "cx", "name": "alerts", **body}, headers=self.lead
        )
        assert response.status_code == 201, response.text
        return dict(response.json())

    async def subscribe(self, channel_id: str, types: list[str] | None = None) -> None:
        response = await self.client.post(
            "/v1/subscriptions",
            json={
                "channel_id": channel_id,
                "event_types": types or ["budget.threshold.crossed.v1", "budget.exceeded.v1"],
            },
            headers=self.lead,
        )
        assert response.status_code == 201, response.text

    async def wait_sql(self, sql: str, *args: Any, timeout: float = 20.0) -> Any:
        return await wait_for_value(self.pool, sql, *args, timeout=timeout)


def threshold(percent: int = 80, policy_id: str = "bud_1", team_id: str = "cx") -> Any:
    return BudgetThresholdCrossedV1(
        policy_id=policy_id,
        scope_kind="team",
        scope_id=team_id,
        team_id=team_id,
        period="month",
        period_start=datetime(2026, 11, 1, tzinfo=UTC),
        period_end=datetime(2026, 12, 1, tzinfo=UTC),
        policy_name="cx monthly",
        mode="hard",
        spent_micros=45_000_000,
        limit_micros=50_000_000,
        agent_id="support-bot",
        occurred_at=datetime.now(UTC),
        threshold_percent=percent,
    )


def notification_settings(
    test_run_id: str, amqp_prefix: str, redis_prefix: str, **overrides: Any
) -> NotificationSettings:
    n = next(_APPS)
    return NotificationSettings(
        **{
            "db_schema": f"{test_run_id}_notification_{n}",
            "amqp_prefix": amqp_prefix,
            "redis_prefix": f"{redis_prefix}{n}:",
            "db_pool_min": 1,
            "db_pool_max": 6,
            "projection_idle_poll_s": 0.02,
            "worker_idle_poll_s": 0.05,
            "webhook_allow_networks": ["127.0.0.1/32"],
            "retry_schedule_s": [0.1, 0.2, 0.3],
            "webhook_timeout_s": 3.0,
            "shutdown_grace_s": 10.0,
            "log_level": "WARNING",
            **overrides,
        }
    )


@pytest_asyncio.fixture
async def make_notification(
    test_run_id: str,
    amqp_prefix: str,
    redis_prefix: str,
    clean_queues: TopologyManifest,
    amqp_connection: AbstractRobustConnection,
    redis_client: Any,
    schemas: Any,
) -> AsyncIterator[Callable[..., Awaitable[Notification]]]:
    async with contextlib.AsyncExitStack() as stack:

        async def make(
            settings: NotificationSettings | None = None,
            resolver: FakeResolver | None = None,
            **overrides: Any,
        ) -> Notification:
            settings = settings or notification_settings(
                test_run_id, amqp_prefix, redis_prefix, **overrides
            )
            transport = LoopbackOnly()
            resolver = resolver or FakeResolver()
            app = create_app(settings, resolver=resolver, transport=transport)
            client = await stack.enter_async_context(running_app(app, "http://notify.test"))
            return Notification(
                app, client, settings, amqp_connection, clean_queues, transport, resolver
            )

        yield make


@pytest_asyncio.fixture
async def notification(make_notification: Callable[..., Awaitable[Notification]]) -> Notification:
    return await make_notification()
