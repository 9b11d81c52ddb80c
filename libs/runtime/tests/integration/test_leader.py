"""The leader lock against the real Postgres: the work of a leader that fails on its own
gives the lock back and leads again, instead of holding the lock and doing nothing."""

from __future__ import annotations

import asyncio

import pytest

from cognive_runtime.leader import LeaderLock
from cognive_runtime.testing import SchemaFactory

pytestmark = pytest.mark.integration


async def test_work_that_fails_is_led_again(pg_dsn: str, schemas: SchemaFactory) -> None:
    schema = await schemas.create("leader")
    lock = LeaderLock(pg_dsn, schema.name, "flaky", retry_interval_s=0.05)
    stop = asyncio.Event()
    runs = 0

    async def work(work_stop: asyncio.Event) -> None:
        nonlocal runs
        runs += 1
        if runs < 3:
            # As a pool raises when Postgres restarts under it.
            raise ConnectionRefusedError(111, "Connection refused")
        await work_stop.wait()

    task = asyncio.create_task(lock.run(work, stop))
    try:
        async with asyncio.timeout(10):
            while runs < 3 or not lock.is_leader:
                await asyncio.sleep(0.02)
    finally:
        stop.set()
        await asyncio.wait_for(task, 10)
    assert runs == 3
    assert not lock.is_leader
