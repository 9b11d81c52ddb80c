"""Registry's changes as events: in its log with the actor, published by its relay, usable by
another service's key projection, and the audit trail of every service's admin events."""

from __future__ import annotations

import asyncio
import itertools
import uuid
from datetime import UTC, datetime
from typing import Any

import aio_pika
import pytest
from aio_pika.abc import AbstractRobustConnection

from cognive_contracts.envelope import (
    CONTENT_TYPE_SINGLE,
    CloudEvent,
    dataschema_for,
    decode,
    encode_single,
    source_for,
    type_for,
)
from cognive_contracts.events.budget import BudgetPolicyDefinedV1
from cognive_contracts.events.registry import ApiKeyIssuedV1
from cognive_contracts.topology import TopologyManifest
from cognive_runtime.amqp.content_encoding import decode_body
from cognive_runtime.auth import ApiKeyStore
from cognive_runtime.consumer import Inbound
from cognive_runtime.testing import SchemaFactory, wait_until
from registry.tests.conftest import Registry

pytestmark = pytest.mark.integration


async def test_changes_are_events_with_actor(registry: Registry) -> None:
    admin = await registry.login()
    await registry.team(admin, "cx")
    rows = await registry.pool.fetch("SELECT type, metadata FROM events ORDER BY global_position")
    types = [r["type"] for r in rows]
    assert types == ["registry.user.created.v1", "registry.team.created.v1"]
    assert rows[0]["metadata"]["actor"] == "system:bootstrap"
    assert rows[1]["metadata"]["actor"].startswith("user:")


async def test_relay_publishes_key_events_that_another_service_accepts(
    registry: Registry,
    amqp_connection: AbstractRobustConnection,
    topology: TopologyManifest,
    schemas: SchemaFactory,
    redis_client: Any,
    redis_prefix: str,
) -> None:
    channel = await amqp_connection.channel()
    queue = await channel.declare_queue(
        f"{topology.prefix}registry.test.{uuid.uuid4().hex[:6]}", auto_delete=True
    )
    await queue.bind(topology.events_exchange.name, routing_key="registry.api_key.#")
    admin = await registry.login()
    await registry.team(admin, "cx")
    issued = (
        await registry.client.post(
            "/v1/api-keys",
            json={"team_id": "cx", "name": "sdk", "scopes": ["events:write"]},
            headers=admin,
        )
    ).json()

    received: list[CloudEvent] = []

    async def fetch() -> bool:
        message = await queue.get(no_ack=True, fail=False)
        if message is not None:
            body = decode_body(message.body, message.content_encoding)
            received.extend(decode(body, message.content_type or ""))
        return bool(received)

    await wait_until(fetch, timeout=15, message="registry.api_key.issued.v1 published")
    event = received[0]
    assert event.type == "cognive.registry.api_key.issued.v1"
    assert event.actor and event.actor.startswith("user:")
    payload = ApiKeyIssuedV1.model_validate(event.data)
    assert "api_key" not in event.data and issued["api_key"] not in str(event.data)

    # Another service projects the published event and accepts the key.
    other = await schemas.create("keys")
    store = ApiKeyStore(other.pool, redis_client, f"{redis_prefix}other:")
    async with other.pool.acquire() as conn, conn.transaction():
        await store.projection.on_issued(conn, [Inbound(event, payload)])
    principal = await store.lookup(issued["api_key"])
    assert principal is not None and principal.team_id == "cx"
    await channel.close()


def foreign_admin_event(team_id: str) -> CloudEvent:
    routing_key = "budget.policy.defined.v1"
    return CloudEvent(
        id=uuid.uuid4(),
        source=source_for("budget"),
        type=type_for(routing_key),
        subject=f"policy-{uuid.uuid4()}",
        time=datetime.now(UTC),
        dataschema=dataschema_for(routing_key),
        data=BudgetPolicyDefinedV1(
            policy_id="p1",
            name="cx monthly",
            scope_kind="team",
            scope_id=team_id,
            team_id=team_id,
            period="month",
            limit_micros=5_000_000,
            mode="hard",
        ).model_dump(mode="json")
        # A field of a later minor version of the event: the trail keeps what was written.
        | {"added_in_a_later_minor": {"kept": True}},
        actor="user:someone",
    )


async def test_audit_trail_chains_every_services_admin_events(
    registry: Registry, amqp_connection: AbstractRobustConnection, topology: TopologyManifest
) -> None:
    admin = await registry.login()
    await registry.team(admin, "cx")
    event = foreign_admin_event("cx")
    channel = await amqp_connection.channel(publisher_confirms=True)
    exchange = await channel.get_exchange(topology.events_exchange.name)
    message = aio_pika.Message(encode_single(event), content_type=CONTENT_TYPE_SINGLE)
    await exchange.publish(message, routing_key=event.routing_key)
    await exchange.publish(message, routing_key=event.routing_key)  # a redelivery
    await channel.close()

    async def audited() -> bool:
        response = await registry.client.get(
            "/v1/audit", params={"type": "budget.policy.defined.v1"}, headers=admin
        )
        return len(response.json()["items"]) >= 1

    await wait_until(audited, timeout=20, message="foreign admin event audited")
    await asyncio.sleep(0.3)  # a duplicate, if it were applied, would have landed by now
    entries = (await registry.client.get("/v1/audit", headers=admin)).json()["items"]
    types = [e["type"] for e in entries]
    assert types.count("budget.policy.defined.v1") == 1, "the inbox drops the redelivery"
    foreign = next(e for e in entries if e["type"] == "budget.policy.defined.v1")
    assert foreign["source"] == "/cognive/budget" and foreign["actor"] == "user:someone"
    assert foreign["team_id"] == "cx" and foreign["event_id"] == str(event.id)
    assert foreign["data"] == event.data
    assert entries[0]["prev_hash"] == "0" * 64
    assert all(b["prev_hash"] == a["hash"] for a, b in itertools.pairwise(entries))

    by_team = await registry.client.get("/v1/audit", params={"team_id": "cx"}, headers=admin)
    assert {e["team_id"] for e in by_team.json()["items"]} == {"cx"}

    verified = (await registry.client.get("/v1/audit/verify", headers=admin)).json()
    assert verified == {
        "ok": True,
        "entries": len(entries),
        "first_broken_position": None,
        "detail": None,
    }

    victim = entries[1]["position"]
    await registry.pool.execute(
        "UPDATE audit_entries SET actor = 'user:innocent' WHERE position = $1", victim
    )
    tampered = (await registry.client.get("/v1/audit/verify", headers=admin)).json()
    assert tampered["ok"] is False
    assert tampered["first_broken_position"] == victim


async def test_projections_rebuild_to_the_live_models(registry: Registry) -> None:
    from cognive_runtime.projections import rebuild

    admin = await registry.login()
    await registry.team(admin, "cx")
    await registry.person(admin, "p@example.com", "cx", "viewer")
    await registry.key(admin, "cx", ["read"])
    for view in registry.app.state.registry.projections:
        report = await rebuild(registry.pool, view, verify=True)
        assert report.swapped and not report.differing_rows, report


async def test_audit_chain_holds_when_commits_land_out_of_position_order(
    registry: Registry,
) -> None:
    """Followers read the log in (transaction id, position) order, which is not position
    order when a transaction that started first appends last. The chain follows the
    followers' order, and verification walks that same order."""
    from cognive_contracts.events.registry import TeamCreatedV1
    from cognive_runtime.eventlog import NewEvent
    from cognive_runtime.eventlog.writer import append_to_stream

    admin = await registry.login()

    def created(team: str) -> NewEvent:
        data = TeamCreatedV1(team_id=team, name=team.upper()).model_dump(mode="json")
        return NewEvent(TeamCreatedV1.event_type, data, metadata={"actor": "user:test"})

    early = await registry.pool.acquire()
    late = await registry.pool.acquire()
    try:
        first = early.transaction()
        await first.start()
        await early.fetchval("SELECT pg_current_xact_id()")  # takes its transaction id now
        async with late.transaction():
            [q] = await append_to_stream(late, "team-late", [created("late")])
        [p] = await append_to_stream(early, "team-early", [created("early")])
        await first.commit()
    finally:
        await registry.pool.release(early)
        await registry.pool.release(late)
    assert p > q

    async def both_audited() -> bool:
        rows = (await registry.client.get("/v1/audit", headers=admin)).json()["items"]
        return {"team-early", "team-late"} <= {r["subject"] for r in rows}

    await wait_until(both_audited, timeout=20, message="both teams audited")
    entries = (await registry.client.get("/v1/audit", headers=admin)).json()["items"]
    subjects = [e["subject"] for e in entries]
    # Listed in chain order: the earlier transaction first although its position is higher.
    assert subjects.index("team-early") < subjects.index("team-late")
    assert all(b["prev_hash"] == a["hash"] for a, b in itertools.pairwise(entries))
    verified = (await registry.client.get("/v1/audit/verify", headers=admin)).json()
    assert verified["ok"] is True, verified
