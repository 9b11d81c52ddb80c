"""The log signal against the real Postgres: an idle follower is woken by an append of its
own process and by the NOTIFY of another replica's, and polls again while nobody listens."""

from __future__ import annotations

import asyncio
import random

import pytest

from cognive_runtime.eventlog import signal as log_signal
from cognive_runtime.eventlog.signal import LogSignal
from cognive_runtime.loops import LoopGroup
from cognive_runtime.projections import ProjectionRunner
from cognive_runtime.testing import SchemaFactory, TestSchema, wait_until

from .counters_projection import ADDED, MIGRATIONS, Counters, append_events, random_events

pytestmark = pytest.mark.integration

# Long enough that a follower found its events by the wake, not by polling, within the
# tests' deadline.
NEVER = 300.0


async def _schema(schemas: SchemaFactory) -> TestSchema:
    return await schemas.create("signal", migrations_dir=MIGRATIONS, component="test")


async def _caught_up(schema: TestSchema) -> bool:
    applied = await schema.pool.fetchval("SELECT coalesce(sum(events), 0) FROM proj_totals")
    logged = await schema.pool.fetchval("SELECT count(*) FROM events WHERE type = $1", ADDED)
    return bool(logged > 0 and applied == logged)


def _quiet(signal: LogSignal) -> LogSignal:
    # The log counts as quiet at once: followers wait for a wake from the start.
    signal.linger_s = 0.0
    signal.last_wake = -NEVER
    return signal


async def _run(*loops: object) -> tuple[LoopGroup, asyncio.Event]:
    group = LoopGroup(list(loops), restart_delay_s=0.1)  # type: ignore[arg-type]
    group.start()
    return group, group.stop_event


async def test_an_idle_follower_wakes_on_another_replicas_append(schemas: SchemaFactory) -> None:
    schema = await _schema(schemas)
    follower_side = _quiet(LogSignal(schema.dsn, schema.name, fallback_s=NEVER))
    writer_side = LogSignal(schema.dsn, schema.name, schema.pool)
    runner = ProjectionRunner(
        schema.pool, Counters(), "test", idle_poll_s=0.05, signal=follower_side
    )
    listener, _ = await _run(follower_side)
    await wait_until(lambda: follower_side.listening, message="listening")
    follower_side.last_wake = -NEVER
    group, _ = await _run(runner)
    log_signal.install(writer_side)
    try:
        # The runner has read the empty log and waits for a wake: with no linger and no
        # fallback to speak of, it does not poll.
        await asyncio.sleep(0.3)
        await append_events(schema.pool, random_events(random.Random(3), 10))
        await wait_until(lambda: _caught_up(schema), message="applied after the NOTIFY")
    finally:
        log_signal.install(None)
        await group.stop(5)
        await listener.stop(5)


async def test_a_follower_wakes_on_its_own_process_append_without_a_listener(
    schemas: SchemaFactory,
) -> None:
    # No LISTEN loop and no pool to NOTIFY with: the in-process wake alone. Not listening
    # means polling, so this signal is made to look listening to exercise the wait.
    schema = await _schema(schemas)
    signal = _quiet(LogSignal(schema.dsn, schema.name, fallback_s=NEVER))
    signal.listening = True
    runner = ProjectionRunner(schema.pool, Counters(), "test", idle_poll_s=0.05, signal=signal)
    group, _ = await _run(runner)
    log_signal.install(signal)
    try:
        await asyncio.sleep(0.3)
        # The wake comes with the append, before the commit: the linger makes the follower
        # poll again, so it finds the rows once they are committed.
        signal.linger_s = 5.0
        await append_events(schema.pool, random_events(random.Random(4), 7))
        await wait_until(lambda: _caught_up(schema), message="applied after the wake")
    finally:
        log_signal.install(None)
        await group.stop(5)


async def test_without_its_listener_a_follower_polls_until_it_is_back(
    schemas: SchemaFactory,
) -> None:
    schema = await _schema(schemas)
    signal = _quiet(LogSignal(schema.dsn, schema.name, fallback_s=0.2))
    runner = ProjectionRunner(schema.pool, Counters(), "test", idle_poll_s=0.05, signal=signal)
    group, _ = await _run(signal, runner)
    try:
        await wait_until(lambda: signal.listening, message="listening")
        pids = await schema.pool.fetch(
            "SELECT pid FROM pg_stat_activity WHERE application_name = $1",
            f"cognive-log-signal-{schema.name}"[:63],
        )
        assert pids, "the signal holds a LISTEN connection"
        for row in pids:
            await schema.pool.execute("SELECT pg_terminate_backend($1)", row["pid"])
        await wait_until(lambda: not signal.listening, message="the loss noticed")
        # Nobody wakes it, and no NOTIFY would reach it: the follower polls.
        await append_events(schema.pool, random_events(random.Random(5), 5))
        await wait_until(lambda: _caught_up(schema), message="applied by polling")
        await wait_until(lambda: signal.listening, message="listening again")
    finally:
        await group.stop(5)
