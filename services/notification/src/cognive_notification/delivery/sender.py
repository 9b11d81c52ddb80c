"""Sending one delivery over its channel: a signed webhook, a Slack message or an e-mail."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import asyncpg
import httpx
import orjson

from cognive_notification.config_store import ConfigStore
from cognive_notification.delivery.email import send_email
from cognive_notification.delivery.network import HttpResult, Resolver, post
from cognive_notification.domain import signing
from cognive_notification.domain.ssrf import Network
from cognive_notification.messages import render
from cognive_notification.settings import NotificationSettings


class Sender:
    def __init__(
        self,
        pool: asyncpg.Pool,
        settings: NotificationSettings,
        config: ConfigStore,
        client: httpx.AsyncClient,
        resolver: Resolver,
        allow_list: list[Network],
    ) -> None:
        self.pool = pool
        self.settings = settings
        self.config = config
        self.client = client
        self.resolver = resolver
        self.allow_list = allow_list

    async def send(
        self, delivery_id: str, kind: str, channel_id: str, cloudevent: dict[str, Any]
    ) -> HttpResult:
        config = await self.config.get(self.pool, channel_id)
        event_type = str(cloudevent.get("type", "")).removeprefix("cognive.")
        data = cloudevent.get("data") or {}
        if kind == "email":
            message = render(event_type, data, self.settings.console_url)
            return await send_email(self.settings, config.recipients, message, delivery_id)
        if config.url is None:
            return HttpResult(None, 0, "channel has no URL")
        if kind == "slack":
            body = orjson.dumps(render(event_type, data, self.settings.console_url).slack)
            return await post(self.client, config.url, body, {}, self.resolver, self.allow_list)
        body = orjson.dumps(cloudevent)
        now = datetime.now(UTC)
        secrets = await self.config.secrets(self.pool, channel_id, now)
        headers = {
            **config.headers,
            **signing.headers(secrets, delivery_id, int(now.timestamp()), body),
            "Content-Type": "application/cloudevents+json",
        }
        return await post(self.client, config.url, body, headers, self.resolver, self.allow_list)
