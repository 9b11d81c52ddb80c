"""A relay in a process of its own, for crash and takeover tests:
`python -m cognive_runtime.testing.relay_process`.

Environment: COGNIVE_TEST_RELAY_SCHEMA (the log's schema), COGNIVE_TEST_RELAY_EXCHANGE,
COGNIVE_TEST_POSTGRES_DSN, COGNIVE_TEST_RABBITMQ_URL, optional
COGNIVE_TEST_RELAY_SERVICE, COGNIVE_TEST_RELAY_PUBLISH_DELAY_S (slows each publish so that
a test can kill it mid-flight) and the usual COGNIVE_RELAY_* knobs of `ServiceSettings`.
Prints `relay.ready` once started and `relay.leader` each time it takes the lock; exits 0
on SIGTERM after flushing."""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import sys

import structlog

from cognive_runtime.amqp import connect_amqp
from cognive_runtime.db import create_pool
from cognive_runtime.leader import LeaderLock
from cognive_runtime.relay import Relay
from cognive_runtime.settings import ServiceSettings

log = structlog.get_logger(__name__)


def _say(marker: str) -> None:
    sys.stdout.write(f"{marker} pid={os.getpid()}\n")
    sys.stdout.flush()


async def main() -> None:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    env = os.environ
    schema = env["COGNIVE_TEST_RELAY_SCHEMA"]
    defaults = ServiceSettings(service=env.get("COGNIVE_TEST_RELAY_SERVICE", "relaytest"))
    settings = defaults.model_copy(
        update={
            "postgres_dsn": env.get("COGNIVE_TEST_POSTGRES_DSN", defaults.postgres_dsn),
            "db_schema": schema,
        }
    )
    amqp_url = env.get("COGNIVE_TEST_RABBITMQ_URL", defaults.rabbitmq_url.get_secret_value())
    pool = await create_pool(settings.postgres_dsn, schema, application_name="relay-test")
    connection = await connect_amqp(amqp_url, name=f"relay-test-{os.getpid()}")
    relay = Relay(
        pool=pool,
        connection=connection,
        exchange=env["COGNIVE_TEST_RELAY_EXCHANGE"],
        service=settings.service,
        events_per_message=settings.relay_events_per_message,
        page_size=settings.relay_page_size,
        max_in_flight=settings.relay_max_in_flight,
        idle_poll_s=settings.relay_idle_poll_s,
        content_encoding=settings.relay_content_encoding,
        publish_delay_s=float(env.get("COGNIVE_TEST_RELAY_PUBLISH_DELAY_S", "0")),
    )
    lock = LeaderLock(settings.postgres_dsn, schema, "relay", retry_interval_s=0.2)

    async def lead(work_stop: asyncio.Event) -> None:
        _say("relay.leader")
        await relay.run(work_stop)

    _say("relay.ready")
    try:
        while not stop.is_set():
            try:
                await lock.run(lead, stop)
            except Exception:
                # What a LoopGroup does: log, pause, start again from the checkpoint.
                log.exception("relay.crashed")
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(stop.wait(), 0.5)
    finally:
        await connection.close()
        await pool.close()
    _say("relay.stopped")


if __name__ == "__main__":
    asyncio.run(main())
