"""E-mail through a real SMTP sink, the Slack format, subscription filters, the SSRF guard
with a resolver that points at internal addresses, and disabling a failing channel."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import pytest

from cognive_contracts.events.ingest import PolicyViolatedV1

from ..conftest import Notification, threshold
from ..peers import FakeResolver, receiver, smtp_sink

pytestmark = pytest.mark.integration


async def wait_for(predicate: Any, timeout: float = 15.0) -> None:
    deadline = asyncio.get_running_loop().time() + timeout
    while not predicate():
        assert asyncio.get_running_loop().time() < deadline, "timed out"
        await asyncio.sleep(0.05)


async def test_budget_alert_email(make_notification: Any) -> None:
    with smtp_sink() as (port, sink):
        notification: Notification = await make_notification(smtp_port=port)
        channel = await notification.channel(
            kind="email", recipients=["lead@example.com", "oncall@example.com"]
        )
        await notification.subscribe(channel["channel_id"])
        await notification.send(threshold(90))
        await wait_for(lambda: len(sink.messages) == 1)
        recipients, message = sink.messages[0]
        assert sorted(recipients) == ["lead@example.com", "oncall@example.com"]
        assert message["Subject"] == (
            "[Cognive] Budget 'cx monthly' reached 90% ($45.00 of $50.00)"
        )
        text = message.get_body(("plain",)).get_content()
        html = message.get_body(("html",)).get_content()
        for body in (text, html):
            assert "$45.00" in body and "$50.00" in body and "90.0%" in body
            assert "support-bot" in body and "cx" in body
            assert "/budgets/bud_1" in body
        assert "<table>" in html


async def test_slack_format_and_filters(notification: Notification) -> None:
    async with receiver() as hook:
        channel = await notification.channel(kind="slack", url=hook.url)
        assert channel["target"].endswith("/…") and "hook" not in channel["target"]
        response = await notification.client.post(
            "/v1/subscriptions",
            json={
                "channel_id": channel["channel_id"],
                "event_types": ["ingest.policy.violated.v1"],
                "filter_agent_ids": ["bot-7"],
            },
            headers=notification.lead,
        )
        assert response.status_code == 201
        for agent in ("bot-1", "bot-7"):
            await notification.send(
                PolicyViolatedV1(
                    violation_id=f"v-{agent}",
                    kind="model_not_allowed",
                    agent_id=agent,
                    team_id="cx",
                    model="o1-pro",
                    detail="not in allowed models",
                    occurred_at=threshold().occurred_at,
                )
            )
        await wait_for(lambda: len(hook.requests) == 1)
        await asyncio.sleep(0.3)
        assert len(hook.requests) == 1
        body = json.loads(hook.requests[0].body)
        assert "bot-7" in body["text"] and "o1-pro" in body["text"]
        assert body["blocks"][0]["type"] == "section"


async def test_ssrf_guard_refuses_internal_targets(make_notification: Any) -> None:
    resolver = FakeResolver(
        {
            "hooks.example.com": ["93.184.216.34"],
            "internal.example.com": ["10.0.0.5"],
            "sneaky.example.com": ["93.184.216.34", "127.0.0.2"],
            "metadata.example.com": ["169.254.169.254"],
            "mapped.example.com": ["::ffff:192.168.1.1"],
        }
    )
    notification: Notification = await make_notification(
        resolver=resolver, webhook_allow_networks=[]
    )
    for url, reason in [
        ("http://internal.example.com/x", "private"),
        ("http://sneaky.example.com/x", "loopback"),
        ("http://metadata.example.com/x", "metadata"),
        ("http://mapped.example.com/x", "private"),
        ("http://127.0.0.1:9/x", "loopback"),
        ("http://[::1]/x", "loopback"),
        ("http://100.64.0.1/x", "carrier-grade"),
        ("ftp://hooks.example.com/x", "http"),
        ("http://user:pw@hooks.example.com/x", "credentials"),
        ("http://nowhere.example.com/x", "resolve"),
    ]:
        response = await notification.client.post(
            "/v1/channels",
            json={"team_id": "cx", "name": "x", "kind": "webhook", "url": url},
            headers=notification.lead,
        )
        assert response.status_code == 422, (url, response.text)
        problem = response.json()
        assert problem["errors"][0]["field"] == "body.url", problem
        assert reason in problem["detail"], (url, problem["detail"])
    assert notification.transport.refused == []


async def test_a_channel_failing_too_long_is_disabled_and_the_team_told(
    make_notification: Any,
) -> None:
    with smtp_sink() as (port, sink):
        notification: Notification = await make_notification(
            smtp_port=port, disable_after_s=0.3, give_up_after_s=60
        )
        owners = await notification.channel(kind="email", recipients=["lead@example.com"])
        async with receiver(default=500) as hook:
            channel = await notification.channel(kind="webhook", url=hook.url)
            await notification.subscribe(channel["channel_id"])
            await notification.send(threshold(80))
            await notification.wait_sql(
                "SELECT disabled FROM channels WHERE channel_id = $1", channel["channel_id"]
            )
        await wait_for(lambda: len(sink.messages) == 1)
        assert "was disabled" in sink.messages[0][1]["Subject"]
        got = await notification.client.get(
            f"/v1/channels/{channel['channel_id']}", headers=notification.lead
        )
        assert got.json()["disabled_reason"] == "failing"
        assert owners["channel_id"] != channel["channel_id"]
