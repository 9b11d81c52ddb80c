"""The topology on the real broker equals the manifest, and the AsyncAPI document agrees."""

from __future__ import annotations

import aio_pika
import pytest
from aio_pika.abc import AbstractRobustConnection

from cognive_contracts.asyncapi import build_document, manifest_queue_bindings, queue_bindings
from cognive_contracts.topology import TopologyManifest
from cognive_runtime.amqp import declare_topology, queue_depths
from cognive_runtime.testing import rabbitmqctl, wait_until

pytestmark = pytest.mark.integration


async def test_broker_queues_equal_the_manifest(topology: TopologyManifest) -> None:
    queues = await rabbitmqctl.list_queues(topology.prefix)
    expected = {q.name: q for q in topology.all_queues}
    # Tests may add temporary queues of their own; the manifest's must all be there, exact.
    for name, spec in expected.items():
        assert name in queues, name
        assert queues[name]["type"] == "quorum"
        assert queues[name]["durable"] is True
        assert queues[name]["arguments"] == dict(spec.arguments), name
    for spec in topology.consumer_queues:
        args = queues[spec.name]["arguments"]
        assert args["x-queue-type"] == "quorum"
        assert args["x-dead-letter-strategy"] == "at-least-once"
        assert args["x-overflow"] == "reject-publish"
        assert args["x-dead-letter-exchange"] == topology.dead_letter_exchange.name
        assert isinstance(args["x-delivery-limit"], int)
        assert isinstance(args["x-max-length"], int)


async def test_broker_exchanges_equal_the_manifest(topology: TopologyManifest) -> None:
    exchanges = await rabbitmqctl.list_exchanges(topology.prefix)
    assert {e.name for e in topology.exchanges} <= set(exchanges)
    for spec in topology.exchanges:
        actual = exchanges[spec.name]
        assert actual["type"] == spec.type
        assert actual["durable"] is True
    events = exchanges[topology.events_exchange.name]
    assert events["arguments"] == {"alternate-exchange": topology.unroutable_exchange.name}


async def test_broker_bindings_equal_the_manifest_and_asyncapi(topology: TopologyManifest) -> None:
    actual = await rabbitmqctl.list_bindings(topology.prefix)
    manifest_queues = {q.name for q in topology.all_queues}
    actual = {b for b in actual if b[1] in manifest_queues}
    expected = {(q.exchange, q.name, key) for q in topology.all_queues for key in q.bindings}
    assert actual == expected

    on_events = {(queue, key) for ex, queue, key in actual if ex == topology.events_exchange.name}
    document = build_document(topology)
    assert queue_bindings(document) == on_events == manifest_queue_bindings(topology)
    documented_args = {
        ch["address"]: ch["x-cognive-arguments"]
        for ch in document["channels"].values()
        if "x-cognive-arguments" in ch
    }
    broker_queues = await rabbitmqctl.list_queues(topology.prefix)
    assert documented_args == {
        q.name: broker_queues[q.name]["arguments"] for q in topology.consumer_queues
    }


async def test_declaring_twice_is_a_no_op(
    amqp_connection: AbstractRobustConnection, topology: TopologyManifest
) -> None:
    before = await rabbitmqctl.list_bindings(topology.prefix)
    await declare_topology(amqp_connection, topology)
    channel = await amqp_connection.channel()
    try:
        await declare_topology(channel, topology, services=["cost"])
    finally:
        await channel.close()
    assert await rabbitmqctl.list_bindings(topology.prefix) == before


async def test_unroutable_message_lands_in_the_unroutable_queue(
    amqp_connection: AbstractRobustConnection, clean_queues: TopologyManifest
) -> None:
    topology = clean_queues
    channel = await amqp_connection.channel(publisher_confirms=True)
    try:
        exchange = await channel.get_exchange(topology.events_exchange.name, ensure=False)
        await exchange.publish(
            aio_pika.Message(b'{"nobody":"listens"}', message_id="unroutable-1"),
            routing_key="nobody.binds.this.v1",
        )
        queue = await channel.get_queue(topology.unroutable_queue.name, ensure=False)

        async def arrived() -> bool:
            depths = await queue_depths(amqp_connection, [topology.unroutable_queue.name])
            return depths.get(topology.unroutable_queue.name, 0) == 1

        await wait_until(arrived, timeout=15, message="message in the unroutable queue")
        message = await queue.get(no_ack=True, fail=True)
        assert message is not None
        assert message.message_id == "unroutable-1"
        assert message.routing_key == "nobody.binds.this.v1"
    finally:
        await channel.close()


async def test_queue_depths_skip_missing_queues(
    amqp_connection: AbstractRobustConnection, clean_queues: TopologyManifest
) -> None:
    names = [q.name for q in clean_queues.consumer_queues]
    missing = clean_queues.prefix + "missing"
    depths = await queue_depths(amqp_connection, [names[0], missing, *names])
    assert depths == dict.fromkeys(names, 0)
