"""AMQP fixtures: one robust connection per session and the contracts topology declared
once per run under the run's prefix (quorum queues are slow to create on a small box).

Everything named with the run prefix is deleted at session end."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator

import aio_pika
import pytest_asyncio
from aio_pika.abc import AbstractRobustConnection

from cognive_contracts.topology import TopologyManifest, load_manifest
from cognive_runtime.amqp import connect_amqp, declare_topology
from cognive_runtime.testing import rabbitmqctl


@pytest_asyncio.fixture(scope="session")
async def amqp_connection(amqp_url: str) -> AsyncIterator[AbstractRobustConnection]:
    connection = await connect_amqp(amqp_url, name="cognive-tests")
    yield connection
    await connection.close()


@pytest_asyncio.fixture(scope="session")
async def topology(
    amqp_connection: AbstractRobustConnection, amqp_prefix: str
) -> AsyncIterator[TopologyManifest]:
    """The whole manifest declared with the run prefix; returns the prefixed manifest."""
    manifest = load_manifest().with_prefix(amqp_prefix)
    await declare_topology(amqp_connection, manifest)
    yield manifest
    await delete_prefixed(amqp_connection, amqp_prefix, manifest)


@pytest_asyncio.fixture
async def clean_queues(
    amqp_connection: AbstractRobustConnection, topology: TopologyManifest
) -> TopologyManifest:
    """Purge every queue of the prefixed topology before the test."""
    channel = await amqp_connection.channel()
    try:
        for spec in topology.all_queues:
            queue = await channel.get_queue(spec.name, ensure=False)
            await queue.purge()
    finally:
        await channel.close()
    return topology


async def delete_prefixed(
    connection: AbstractRobustConnection, prefix: str, manifest: TopologyManifest | None = None
) -> None:
    """Delete the manifest's queues and exchanges and anything else named with `prefix`
    (queues tests declared themselves), as far as `rabbitmqctl` can list them."""
    queues = {q.name for q in manifest.all_queues} if manifest else set()
    exchanges = {e.name for e in manifest.exchanges} if manifest else set()
    if rabbitmqctl.available():
        queues |= set(await rabbitmqctl.list_queues(prefix))
        exchanges |= set(await rabbitmqctl.list_exchanges(prefix))
    channel = await connection.channel()
    try:
        for kind, name in [("queue", q) for q in sorted(queues)] + [
            ("exchange", e) for e in sorted(exchanges)
        ]:
            try:
                if kind == "queue":
                    await channel.queue_delete(name)
                else:
                    await channel.exchange_delete(name)
            except aio_pika.exceptions.AMQPError:
                # The broker closed the channel over this one; go on with a fresh one.
                channel = await connection.channel()
    finally:
        with contextlib.suppress(aio_pika.exceptions.AMQPError):
            await channel.close()
