"""Wiring: notification's routers, migrations and loops on the runtime's service app.

`resolver` and `transport` are injectable so that tests can map names to addresses and
refuse any connection to a non-loopback address (ARCHITECTURE §8)."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import httpx
from fastapi import FastAPI

from cognive_notification.api import channels, deliveries, subscriptions
from cognive_notification.api.deps import NotificationState
from cognive_notification.config_store import ConfigStore
from cognive_notification.crypto import SecretBox
from cognive_notification.delivery.network import Resolver, make_client, system_resolver
from cognive_notification.delivery.sender import Sender
from cognive_notification.delivery.worker import DeliveryWorker
from cognive_notification.domain.ssrf import parse_allow_list
from cognive_notification.handlers.alerts import alert_handlers
from cognive_notification.projections.directory import ChannelsProjection, SubscriptionsProjection
from cognive_notification.settings import NotificationSettings
from cognive_runtime.db import load_migrations
from cognive_runtime.db.migrations import Migration
from cognive_runtime.loops import Loop
from cognive_runtime.projections import Projection
from cognive_runtime.service import ServiceResources, create_service_app

MIGRATIONS = Path(__file__).resolve().parents[2] / "migrations"
ALERTS_QUEUE = "notification.alerts"
REGISTRY_QUEUE = "notification.registry"


def migrations() -> list[Migration]:
    return load_migrations("notification", MIGRATIONS)


def projections() -> list[Projection]:
    return [ChannelsProjection(), SubscriptionsProjection()]


def build_loops(
    settings: NotificationSettings,
    res: ServiceResources,
    state: NotificationState,
    views: Sequence[Projection],
) -> list[Loop]:
    return [
        res.relay(),
        res.projections(views, idle_poll_s=settings.projection_idle_poll_s),
        res.leader(DeliveryWorker(res.pool, state.sender, settings, views)),
        # In every replica: the inbox makes concurrent consumption safe.
        res.consumer(ALERTS_QUEUE, alert_handlers()),
        res.consumer(REGISTRY_QUEUE, {}),
    ]


def create_app(
    settings: NotificationSettings,
    *,
    run_loops: bool | None = None,
    resolver: Resolver = system_resolver,
    transport: httpx.AsyncBaseTransport | None = None,
) -> FastAPI:
    views = projections()
    box = SecretBox([k.get_secret_value() for k in settings.secret_keys])
    holder: dict[str, NotificationState] = {}

    def state_for(res: ServiceResources) -> NotificationState:
        if "state" not in holder:
            config = ConfigStore(box)
            client = make_client(settings.webhook_timeout_s, transport)
            sender = Sender(
                res.pool,
                settings,
                config,
                client,
                resolver,
                parse_allow_list(settings.webhook_allow_networks),
            )
            holder["state"] = NotificationState(res.pool, settings, views, config, sender)
        return holder["state"]

    async def on_start(app: FastAPI, res: ServiceResources) -> None:
        app.state.notification = state_for(res)

    async def on_stop(app: FastAPI, res: ServiceResources) -> None:
        state = holder.pop("state", None)
        if state is not None:
            await state.sender.client.aclose()

    return create_service_app(
        settings,
        title="Cognive notification",
        description="Signed webhooks, e-mail and Slack alerts: durable, retried, deduplicated.",
        routers=[channels.router, subscriptions.router, deliveries.router],
        migrations=migrations(),
        build_loops=lambda res: build_loops(settings, res, state_for(res), views),
        on_start=on_start,
        on_stop=on_stop,
        run_loops=settings.loops_enabled if run_loops is None else run_loops,
    )
