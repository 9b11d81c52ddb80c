"""Webhooks end to end: signed per Standard Webhooks (verified by the `standardwebhooks`
package), retried with the same id until success, deduplicated, redeliverable, and
secrets never shown twice."""

from __future__ import annotations

import asyncio
import json
import uuid

import pytest
from standardwebhooks import Webhook

from cognive_runtime.testing.publishing import cloud_event, publish_events

from ..conftest import Notification, threshold
from ..peers import receiver

pytestmark = pytest.mark.integration


async def wait_for(predicate, timeout: float = 15.0) -> None:  # type: ignore[no-untyped-def]
    deadline = asyncio.get_running_loop().time() + timeout
    while not predicate():
        assert asyncio.get_running_loop().time() < deadline, "timed out"
        await asyncio.sleep(0.05)


async def test_signed_delivery_retried_until_success(notification: Notification) -> None:
    async with receiver(statuses=[500, 503]) as hook:
        channel = await notification.channel(kind="webhook", url=hook.url, headers={"X-Team": "cx"})
        secret = channel["signing_secret"]
        assert secret.startswith("whsec_")
        await notification.subscribe(channel["channel_id"])
        event = await notification.send(threshold(90))
        await wait_for(lambda: len(hook.requests) == 3)
        await asyncio.sleep(0.3)
        assert len(hook.requests) == 3
        ids = {r.headers["webhook-id"] for r in hook.requests}
        assert len(ids) == 1
        last = hook.requests[-1]
        assert last.headers["x-team"] == "cx"
        payload = Webhook(secret).verify(last.body, last.headers)
        assert payload["id"] == str(event.id)
        assert payload["type"] == "cognive.budget.threshold.crossed.v1"
        assert payload["data"]["threshold_percent"] == 90
    delivery_id = ids.pop()
    await notification.wait_sql(
        "SELECT status = 'succeeded' FROM deliveries WHERE delivery_id = $1", delivery_id
    )
    detail = await notification.client.get(
        f"/v1/deliveries/{delivery_id}", headers=notification.lead
    )
    body = detail.json()
    assert [a["outcome"] for a in body["attempt_log"]] == ["failed", "failed", "succeeded"]
    assert [a["status_code"] for a in body["attempt_log"]] == [500, 503, 200]
    events = await notification.pool.fetch(
        "SELECT type FROM events WHERE stream_id = $1 ORDER BY stream_version",
        f"delivery-{delivery_id}",
    )
    assert [e["type"].rsplit(".", 2)[-2] for e in events] == ["failed", "failed", "succeeded"]
    assert notification.transport.refused == []


async def test_duplicates_never_deliver_twice(notification: Notification) -> None:
    async with receiver() as hook:
        channel = await notification.channel(kind="webhook", url=hook.url)
        await notification.subscribe(channel["channel_id"])
        first = cloud_event(threshold(80), "x")
        # The same event redelivered, and the same alert under another event id.
        await publish_events(
            notification.amqp,
            notification.topology,
            [first, first, first.model_copy(update={"id": uuid.uuid4()})],
        )
        await wait_for(lambda: len(hook.requests) >= 1)
        await asyncio.sleep(0.5)
        assert len(hook.requests) == 1
        await notification.send(threshold(90))
        await wait_for(lambda: len(hook.requests) == 2)


async def test_gives_up_after_the_schedule_and_redeliver(make_notification) -> None:  # type: ignore[no-untyped-def]
    notification = await make_notification(give_up_after_s=0.5)
    async with receiver(default=500) as hook:
        channel = await notification.channel(kind="webhook", url=hook.url)
        await notification.subscribe(channel["channel_id"])
        await notification.send(threshold(80))
        await notification.wait_sql("SELECT status = 'failed' FROM deliveries")
        attempts = len(hook.requests)
        assert attempts >= 2
        delivery = (
            await notification.client.get(
                "/v1/deliveries", params={"status": "failed"}, headers=notification.lead
            )
        ).json()["items"][0]
        hook.default = 200
        again = await notification.client.post(
            f"/v1/deliveries/{delivery['delivery_id']}/redeliver", headers=notification.lead
        )
        assert again.status_code == 200
        await notification.wait_sql("SELECT status = 'succeeded' FROM deliveries")
        assert hook.requests[-1].headers["webhook-id"] == delivery["delivery_id"]


async def test_redirects_are_not_followed(notification: Notification) -> None:
    async with receiver(default=302, extra_headers={"Location": "http://169.254.169.254/"}) as hook:
        channel = await notification.channel(kind="webhook", url=hook.url)
        result = await notification.client.post(
            f"/v1/channels/{channel['channel_id']}/test", headers=notification.lead
        )
        assert result.json()["delivered"] is False
        assert result.json()["status_code"] == 302
        assert len(hook.requests) == 1
    assert notification.transport.refused == []


async def test_secret_rotation_signs_with_both_during_grace(notification: Notification) -> None:
    async with receiver() as hook:
        channel = await notification.channel(kind="webhook", url=hook.url)
        old = channel["signing_secret"]
        rotated = await notification.client.post(
            f"/v1/channels/{channel['channel_id']}/rotate-secret", headers=notification.lead
        )
        new = rotated.json()["signing_secret"]
        assert new != old
        result = await notification.client.post(
            f"/v1/channels/{channel['channel_id']}/test", headers=notification.lead
        )
        assert result.json()["delivered"] is True
        request = hook.requests[-1]
        assert len(request.headers["webhook-signature"].split(" ")) == 2
        Webhook(old).verify(request.body, request.headers)
        Webhook(new).verify(request.body, request.headers)
    listed = await notification.client.get("/v1/channels", headers=notification.lead)
    text = json.dumps(listed.json())
    assert old not in text and new not in text and "127.0.0.1" in text
    stored = await notification.pool.fetch("SELECT secret_enc FROM channel_secrets")
    assert all(old not in r["secret_enc"] and new not in r["secret_enc"] for r in stored)


async def test_channel_authorization(notification: Notification) -> None:
    body = {"team_id": "cx", "name": "x", "kind": "email", "recipients": ["a@example.com"]}
    viewer = notification.person([("cx", "viewer")])
    other = notification.person([("search", "team_lead")])
    assert (
        await notification.client.post("/v1/channels", json=body, headers=viewer)
    ).status_code == 403
    assert (
        await notification.client.post("/v1/channels", json=body, headers=other)
    ).status_code == 403
    assert (await notification.client.post("/v1/channels", json=body)).status_code == 401
    created = await notification.client.post("/v1/channels", json=body, headers=notification.lead)
    assert created.status_code == 201
    assert (await notification.client.get("/v1/channels", headers=viewer)).json()["items"]
    assert (await notification.client.get("/v1/channels", headers=other)).json()["items"] == []
    bad = await notification.client.post(
        "/v1/channels", json={**body, "kind": "webhook"}, headers=notification.lead
    )
    assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == "body.url"


async def test_a_webhook_carries_the_event_as_budget_wrote_it(notification: Notification) -> None:
    """A field of a later minor version of the alert reaches the subscriber: notification
    forwards the event as it came, not its own model's view of it."""
    async with receiver() as hook:
        channel = await notification.channel(kind="webhook", url=hook.url)
        await notification.subscribe(channel["channel_id"])
        event = cloud_event(threshold(80), "x")
        event = event.model_copy(update={"data": {**event.data, "added_later": {"kept": 1}}})
        await publish_events(notification.amqp, notification.topology, [event])
        await wait_for(lambda: len(hook.requests) == 1)
        payload = Webhook(channel["signing_secret"]).verify(
            hook.requests[0].body, hook.requests[0].headers
        )
        assert payload["data"] == event.data
