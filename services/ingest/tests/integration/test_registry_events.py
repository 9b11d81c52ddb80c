"""Cross-service behaviour proven through the broker only: registry's CloudEvents published
to the (run-prefixed) events exchange, consumed by ingest from its ``ingest.registry`` queue."""

from __future__ import annotations

import time
import uuid
from datetime import UTC, datetime
from typing import Any

import aio_pika
import pytest
from aio_pika.abc import AbstractRobustConnection
from prometheus_client import REGISTRY

from cognive_contracts.envelope import CONTENT_TYPE_SINGLE, encode_single
from cognive_contracts.events.base import EventPayload
from cognive_contracts.events.registry import (
    AgentRegisteredV1,
    AgentUpdatedV1,
    ApiKeyIssuedV1,
    ApiKeyRevokedV1,
)
from cognive_contracts.topology import TopologyManifest
from cognive_runtime.auth import generate_api_key
from cognive_runtime.testing import wait_until

from ..conftest import Ingest, cloud_event
from .events_factory import llm_call, tool_call
from .test_events_api import bearer, post

pytestmark = pytest.mark.integration

_sequence = iter(range(1, 10**9))


async def publish(
    connection: AbstractRobustConnection,
    topology: TopologyManifest,
    payload: EventPayload,
    subject: str,
) -> None:
    """As registry's relay would: one CloudEvent, routing key = type, confirmed."""
    event = cloud_event(payload, subject, sequence=next(_sequence))
    channel = await connection.channel(publisher_confirms=True)
    try:
        exchange = await channel.get_exchange(topology.events_exchange.name, ensure=False)
        await exchange.publish(
            aio_pika.Message(
                encode_single(event),
                content_type=CONTENT_TYPE_SINGLE,
                message_id=str(event.id),
                type=payload.event_type,
                delivery_mode=aio_pika.DeliveryMode.PERSISTENT,
            ),
            routing_key=payload.event_type,
        )
    finally:
        await channel.close()


def agent(
    agent_id: str, team_id: str, models: list[str], tools: list[str], cls: Any = AgentRegisteredV1
) -> Any:
    return cls(
        agent_id=agent_id,
        team_id=team_id,
        name=agent_id,
        framework="langchain",
        environment="prod",
        allowed_models=models,
        approved_tools=tools,
    )


async def violations(ingest: Ingest, key: Any, **params: Any) -> list[dict[str, Any]]:
    response = await ingest.client.get("/v1/policy-violations", params=params, headers=bearer(key))
    assert response.status_code == 200, response.text
    return list(response.json()["items"])


async def test_key_issued_by_event_works_and_revocation_refuses_within_5s(
    ingest: Ingest,
    amqp_connection: AbstractRobustConnection,
    topology: TopologyManifest,
) -> None:
    key = generate_api_key("dev")
    issued = ApiKeyIssuedV1(
        key_id=key.key_id,
        name="sdk",
        prefix=key.prefix,
        secret_sha256=key.secret_sha256_hex,
        team_id="team-ev",
        scopes=["events:write", "read"],
        issued_at=datetime.now(UTC),
    )
    await publish(amqp_connection, topology, issued, f"api_key-{key.key_id}")

    async def accepted() -> bool:
        response = await post(ingest, key, {"events": [llm_call("r-ev", "a-ev")]})
        return response.status_code == 202

    await wait_until(accepted, timeout=30, interval=0.2, message="issued key accepted")
    revoked = ApiKeyRevokedV1(key_id=key.key_id, team_id="team-ev", revoked_at=datetime.now(UTC))
    await publish(amqp_connection, topology, revoked, f"api_key-{key.key_id}")
    published_at = time.monotonic()

    async def refused() -> bool:
        response = await post(ingest, key, {"events": [llm_call("r-ev", "a-ev")]})
        return response.status_code == 401

    await wait_until(refused, timeout=10, interval=0.1, message="revoked key refused")
    assert time.monotonic() - published_at < 5.0


async def test_violation_of_a_known_agent(
    ingest: Ingest,
    amqp_connection: AbstractRobustConnection,
    topology: TopologyManifest,
) -> None:
    key = await ingest.issue_key(["events:write", "read"], team_id="team-k")
    agent_id = f"agent-{uuid.uuid4().hex[:6]}"
    await publish(
        amqp_connection,
        topology,
        agent(agent_id, "team-k", ["gpt-4o*"], ["search"]),
        f"agent-{agent_id}",
    )

    async def known() -> bool:
        return bool(
            await ingest.pool.fetchval(
                "SELECT count(*) FROM policy_agents WHERE agent_id = $1", agent_id
            )
        )

    await wait_until(known, timeout=30, message="agent known to ingest")
    await post(
        ingest,
        key,
        {
            "events": [
                llm_call("r-k", agent_id, 1, model="gpt-4o-mini"),
                llm_call("r-k", agent_id, 2, model="claude-3-opus"),
                tool_call("r-k", agent_id, 3, "search"),
            ]
        },
    )

    async def recorded() -> bool:
        return len(await violations(ingest, key, agent_id=agent_id)) == 1

    await wait_until(recorded, timeout=30, message="violation listed")
    (violation,) = await violations(ingest, key, agent_id=agent_id)
    assert violation["kind"] == "model_not_allowed"
    assert violation["model"] == "claude-3-opus"
    assert violation["team_id"] == "team-k"
    logged = await ingest.pool.fetchval(
        "SELECT count(*) FROM events WHERE type = 'ingest.policy.violated.v1'"
        " AND data->>'agent_id' = $1",
        agent_id,
    )
    assert logged == 1


async def test_agent_registered_after_its_events_is_still_checked(
    ingest: Ingest,
    amqp_connection: AbstractRobustConnection,
    topology: TopologyManifest,
) -> None:
    key = await ingest.issue_key(["events:write", "read"], team_id="team-late")
    agent_id = f"late-{uuid.uuid4().hex[:6]}"
    answer = await post(
        ingest,
        key,
        {
            "events": [
                llm_call("r-late", agent_id, 1, model="gpt-5"),
                tool_call("r-late", agent_id, 2, "shell"),
                llm_call("r-late", agent_id, 3, model="gpt-4o"),
            ]
        },
    )
    assert answer.json()["accepted"] == 3

    async def pending() -> bool:
        return (
            await ingest.pool.fetchval(
                "SELECT count(*) FROM policy_pending WHERE agent_id = $1", agent_id
            )
            == 3
        )

    # The calls wait for their agent: nothing is judged, nothing is skipped.
    await wait_until(pending, timeout=30, message="calls pending")
    assert await violations(ingest, key, agent_id=agent_id) == []
    await publish(
        amqp_connection,
        topology,
        agent(agent_id, "team-late", ["gpt-4o*"], ["search"]),
        f"agent-{agent_id}",
    )

    async def judged() -> bool:
        return len(await violations(ingest, key, agent_id=agent_id)) == 2

    await wait_until(judged, timeout=30, message="pending calls judged")
    kinds = sorted(v["kind"] for v in await violations(ingest, key, agent_id=agent_id))
    assert kinds == ["model_not_allowed", "tool_not_approved"]
    assert (
        await ingest.pool.fetchval(
            "SELECT count(*) FROM policy_pending WHERE agent_id = $1", agent_id
        )
        == 0
    )

    # An update that approves the tool applies to later calls only.
    await publish(
        amqp_connection,
        topology,
        agent(agent_id, "team-late", ["gpt-4o*"], ["search", "shell"], AgentUpdatedV1),
        f"agent-{agent_id}",
    )

    async def updated() -> bool:
        tools = await ingest.pool.fetchval(
            "SELECT approved_tools FROM policy_agents WHERE agent_id = $1", agent_id
        )
        return tools is not None and "shell" in tools

    await wait_until(updated, timeout=30, message="agent updated")
    await post(ingest, key, {"events": [tool_call("r-late", agent_id, 4, "shell")]})
    await post(ingest, key, {"events": [llm_call("r-late", agent_id, 5, model="o1")]})

    async def third() -> bool:
        return len(await violations(ingest, key, agent_id=agent_id)) == 3

    await wait_until(third, timeout=30, message="later violation")
    latest = (await violations(ingest, key, agent_id=agent_id))[0]
    assert latest["model"] == "o1"


async def test_redelivered_registry_event_is_applied_once(
    ingest: Ingest,
    amqp_connection: AbstractRobustConnection,
    topology: TopologyManifest,
) -> None:
    agent_id = f"dup-{uuid.uuid4().hex[:6]}"
    payload = agent(agent_id, "team-d", ["gpt-4o"], [])
    event = cloud_event(payload, f"agent-{agent_id}", sequence=next(_sequence))

    async def publish_twice() -> None:
        channel = await amqp_connection.channel(publisher_confirms=True)
        try:
            exchange = await channel.get_exchange(topology.events_exchange.name, ensure=False)
            for _ in range(2):
                await exchange.publish(
                    aio_pika.Message(encode_single(event), content_type=CONTENT_TYPE_SINGLE),
                    routing_key=payload.event_type,
                )
        finally:
            await channel.close()

    def duplicates() -> float:
        labels = {
            "service": "ingest",
            "queue": topology.prefix + "ingest.registry",
            "outcome": "duplicate",
        }
        return REGISTRY.get_sample_value("cognive_consumer_events_total", labels) or 0.0

    before = duplicates()
    await publish_twice()
    # The second delivery is acknowledged as a duplicate by the inbox, and changes nothing.
    await wait_until(lambda: duplicates() > before, timeout=30, message="duplicate seen")
    count = await ingest.pool.fetchval(
        "SELECT count(*) FROM events WHERE type = 'ingest.agent.synced.v1' AND stream_id = $1",
        f"agent-{agent_id}",
    )
    assert count == 1
