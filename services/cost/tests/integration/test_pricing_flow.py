"""Recorded calls priced through the real broker and consumer: at the call's time, once,
never $0 for an unknown model; overrides price waiting calls and reprice the past."""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from cognive_runtime.consumer.dlq import read_dlq
from cognive_runtime.testing.publishing import cloud_event, publish_events

from ..conftest import Cost, recorded

pytestmark = pytest.mark.integration


async def wait_events(cost: Cost, call_id: str, n: int = 1) -> list[tuple[str, dict[str, Any]]]:
    for _ in range(400):
        found = await cost.events_of(call_id)
        if len(found) >= n:
            return found
        await asyncio.sleep(0.05)
    raise AssertionError(f"call {call_id}: {await cost.events_of(call_id)}")


async def test_known_model_is_priced_with_provenance(cost: Cost) -> None:
    call = recorded(
        "gpt-4o-2024-08-06",
        input_tokens=10_000,
        cached=4_000,
        output_tokens=1_000,
        reservation_id="res-1",
    )
    await cost.send(call)
    ((kind, data),) = await wait_events(cost, call.call_id)
    assert kind == "cost.llm_call.priced.v1"
    # 6,000 x $2.50 + 4,000 x $1.25 + 1,000 x $10 per million
    assert data["total_micros"] == 15_000 + 5_000 + 10_000
    assert data["breakdown"]["cached_input_micros"] == 5_000
    assert data["price"]["catalog_source"] == "genai-prices"
    assert data["price"]["price_id"].startswith("gp:openai:gpt-4o:")
    assert data["reservation_id"] == "res-1"
    await cost.wait_sql("SELECT 1 FROM calls WHERE call_id = $1", call.call_id)
    # The calls row holds the event's fields as cost wrote them.
    row = dict(await cost.pool.fetchrow("SELECT * FROM calls WHERE call_id = $1", call.call_id))
    assert row.pop("occurred_at") == datetime.fromisoformat(data["occurred_at"])
    assert row.pop("position") > 0
    assert row == {
        "call_id": call.call_id,
        **{k: data[k] for k in ("run_id", "agent_id", "team_id", "api_key_id", "provider")},
        **{k: data[k] for k in ("model", "usage", "total_micros", "breakdown")},
        "price_key": "openai/gpt-4o",  # the catalog entry the model matched
        "status": "priced",
        "price_id": data["price"]["price_id"],
        "reservation_id": "res-1",
        "unpriced_reason": None,
    }
    detail = await cost.client.get(f"/v1/costs/calls/{call.call_id}", headers=cost.admin)
    assert detail.status_code == 200 and detail.json()["total_micros"] == 30_000


async def test_redelivery_and_a_second_recording_price_once(cost: Cost) -> None:
    call = recorded()
    event = cloud_event(call, "run")
    again = event.model_copy(update={"id": uuid.uuid4()})
    await publish_events(cost.amqp, cost.topology, [event, event, again])
    await wait_events(cost, call.call_id)
    await asyncio.sleep(0.5)
    assert len(await cost.events_of(call.call_id)) == 1


async def test_unknown_model_waits_for_a_price_then_is_priced(cost: Cost) -> None:
    calls = [recorded("acme-llm-7b", "self-hosted", input_tokens=2_000) for _ in range(3)]
    for call in calls:
        await cost.send(call)
    for call in calls:
        ((kind, data),) = await wait_events(cost, call.call_id)
        assert kind == "cost.llm_call.unpriced.v1"
        assert data["reason"] == "unknown_model"
    await cost.wait_sql("SELECT count(*) = 3 FROM calls WHERE status = 'unpriced'")
    row = await cost.pool.fetchrow(
        "SELECT usage, total_micros, breakdown, price_id, unpriced_reason FROM calls"
        " WHERE call_id = $1",
        calls[0].call_id,
    )
    assert dict(row) == {
        "usage": data["usage"],
        "total_micros": None,
        "breakdown": None,
        "price_id": None,
        "unpriced_reason": "unknown_model",
    }
    listed = await cost.client.get("/v1/pricing/unpriced", headers=cost.admin)
    assert listed.json()[0]["calls"] == 3 and listed.json()[0]["model"] == "acme-llm-7b"

    created = await cost.client.post(
        "/v1/pricing",
        json={
            "provider": "self-hosted",
            "model": "acme-llm-7b",
            "effective_from": "2020-01-01T00:00:00Z",
            "prices": {"input_usd_per_mtok": "0.5", "output_usd_per_mtok": "1"},
        },
        headers=cost.admin,
    )
    assert created.status_code == 201, created.text
    for call in calls:
        found = await wait_events(cost, call.call_id, 2)
        assert found[1][0] == "cost.llm_call.priced.v1"
        assert found[1][1]["total_micros"] == 2_000 * 0.5 + 500 * 1
    await cost.wait_sql("SELECT count(*) = 0 FROM calls WHERE status = 'unpriced'")


async def test_backdated_override_reprices_in_chunks(make_cost: Any) -> None:
    cost = await make_cost(repricing_chunk=2)
    then = datetime.now(UTC) - timedelta(days=3)
    calls = [recorded("gpt-4o", occurred_at=then + timedelta(minutes=n)) for n in range(5)]
    later = recorded("gpt-4o", occurred_at=datetime.now(UTC))
    for call in [*calls, later]:
        await cost.send(call)
    for call in [*calls, later]:
        await wait_events(cost, call.call_id)
    created = await cost.client.post(
        "/v1/pricing",
        json={
            "provider": "openai",
            "model": "gpt-4o",
            "effective_from": (then - timedelta(hours=1)).isoformat(),
            "effective_to": (then + timedelta(hours=1)).isoformat(),
            "prices": {"input_usd_per_mtok": "2", "output_usd_per_mtok": "8"},
            "team_id": "cx",
        },
        headers=cost.person([("cx", "team_lead")]),
    )
    assert created.status_code == 201, created.text
    for call in calls:
        found = await wait_events(cost, call.call_id, 2)
        kind, data = found[1]
        assert kind == "cost.llm_call.repriced.v1"
        assert data["previous_total_micros"] == 1_000 * 2.5 + 500 * 10
        assert data["new_total_micros"] == 1_000 * 2 + 500 * 8
        assert data["delta_micros"] == -1_500
    await asyncio.sleep(0.3)
    assert len(await cost.events_of(later.call_id)) == 1
    progress = await cost.pool.fetchrow("SELECT * FROM repricing ORDER BY price_position DESC")
    assert progress["done"] and progress["repriced"] == 5


async def test_poison_goes_to_the_dlq(cost: Cost) -> None:
    good = cloud_event(recorded(), "run")
    bad = good.model_copy(
        update={"id": uuid.uuid4(), "data": {**good.data, "usage": {"input_tokens": -1}}}
    )
    await publish_events(cost.amqp, cost.topology, [bad, good])
    await wait_events(cost, good.data["call_id"])
    dlq = cost.topology.service("cost").dlq.name
    for _ in range(100):
        messages = await read_dlq(cost.amqp, dlq)
        if messages:
            break
        await asyncio.sleep(0.05)
    assert [m.event_id for m in messages] == [str(bad.id)]


async def test_override_authorization_and_validation(cost: Cost) -> None:
    body = {
        "provider": "openai",
        "model": "gpt-4o",
        "effective_from": "2026-01-01T00:00:00Z",
        "prices": {"input_usd_per_mtok": "1", "output_usd_per_mtok": "2"},
    }
    lead = cost.person([("cx", "team_lead")])
    assert (await cost.client.post("/v1/pricing", json=body, headers=lead)).status_code == 403
    team_body = {**body, "team_id": "cx"}
    viewer = cost.person([("cx", "viewer")])
    assert (
        await cost.client.post("/v1/pricing", json=team_body, headers=viewer)
    ).status_code == 403
    assert (await cost.client.post("/v1/pricing", json=body)).status_code == 401
    bad = await cost.client.post(
        "/v1/pricing",
        json={**body, "prices": {"input_usd_per_mtok": 1.5}},
        headers=cost.admin,
    )
    assert bad.status_code == 422
    assert any("input_usd_per_mtok" in e["field"] for e in bad.json()["errors"])
    ended = await cost.client.post(
        "/v1/pricing",
        json={**body, "effective_to": "2025-01-01T00:00:00Z"},
        headers=cost.admin,
    )
    assert ended.status_code == 400 and ended.json()["errors"][0]["field"] == "effective_to"
    listed = await cost.client.get(
        "/v1/pricing", params={"provider": "openai", "model": "gpt-4o-2024-08-06"}, headers=viewer
    )
    assert listed.status_code == 200
    assert {p["model"] for p in listed.json()["items"]} == {"gpt-4o"}
