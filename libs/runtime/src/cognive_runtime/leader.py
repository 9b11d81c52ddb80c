"""One active instance per loop: a Postgres session advisory lock per (schema, loop).

The lock lives on a dedicated connection. When the holder dies, Postgres ends its session
and the lock is free; a waiting replica takes it within `retry_interval_s`. The holder
checks its session every `heartbeat_s` and stops its work when the session is gone, so a
replica cut off from Postgres does not go on believing it leads."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable

import asyncpg
import structlog

from cognive_runtime.db.pool import connect
from cognive_runtime.loops import Loop

log = structlog.get_logger(__name__)


class LeaderLock:
    def __init__(
        self,
        dsn: str,
        schema: str,
        name: str,
        *,
        retry_interval_s: float = 1.0,
        heartbeat_s: float = 1.0,
    ) -> None:
        self.dsn = dsn
        self.schema = schema
        self.name = name
        self.key = f"cognive.leader.{schema}.{name}"
        self.retry_interval_s = retry_interval_s
        self.heartbeat_s = heartbeat_s
        self.is_leader = False

    async def run(
        self, work: Callable[[asyncio.Event], Awaitable[None]], stop: asyncio.Event
    ) -> None:
        """Wait for leadership, run `work(stop)` while holding it; return when `stop` is set."""
        while not stop.is_set():
            conn: asyncpg.Connection | None = None
            try:
                conn = await connect(self.dsn, self.schema, application_name=f"leader:{self.name}")
                acquired = await conn.fetchval(
                    "SELECT pg_try_advisory_lock(hashtextextended($1, 0))", self.key
                )
                if acquired:
                    await self._lead(conn, work, stop)
            except (OSError, asyncpg.PostgresError, asyncpg.InterfaceError) as exc:
                log.warning("leader.connection_lost", lock=self.name, error=str(exc))
            finally:
                self.is_leader = False
                if conn is not None:
                    with contextlib.suppress(Exception):
                        await conn.close(timeout=2)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), self.retry_interval_s)

    async def _lead(
        self,
        conn: asyncpg.Connection,
        work: Callable[[asyncio.Event], Awaitable[None]],
        stop: asyncio.Event,
    ) -> None:
        self.is_leader = True
        log.info("leader.acquired", lock=self.name, schema=self.schema)
        lost = asyncio.Event()
        # The work stops on either signal: shutdown, or a lost session.
        work_stop = asyncio.Event()

        async def relay_stop() -> None:
            waiters = [asyncio.create_task(stop.wait()), asyncio.create_task(lost.wait())]
            try:
                await asyncio.wait(waiters, return_when=asyncio.FIRST_COMPLETED)
            finally:
                for waiter in waiters:
                    waiter.cancel()
            work_stop.set()

        async def heartbeat() -> None:
            while not work_stop.is_set():
                try:
                    await asyncio.wait_for(conn.fetchval("SELECT 1"), self.heartbeat_s * 3)
                except (OSError, TimeoutError, asyncpg.PostgresError, asyncpg.InterfaceError):
                    log.warning("leader.lost", lock=self.name)
                    lost.set()
                    return
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(work_stop.wait(), self.heartbeat_s)

        stopper = asyncio.create_task(relay_stop())
        beat = asyncio.create_task(heartbeat())
        try:
            await work(work_stop)
        finally:
            work_stop.set()
            # The work may end on its own (an error of its own pool, say), with neither
            # shutdown nor a lost session to wake the stopper: cancel it, or this would
            # wait for the next shutdown while holding the lock and doing nothing.
            stopper.cancel()
            await asyncio.gather(stopper, beat, return_exceptions=True)
            if not lost.is_set():
                with contextlib.suppress(Exception):
                    await conn.execute(
                        "SELECT pg_advisory_unlock(hashtextextended($1, 0))", self.key
                    )
                log.info("leader.released", lock=self.name)


class LeaderLoop:
    """Adapts a loop so that it runs only while this replica holds its lock."""

    def __init__(self, inner: Loop, lock: LeaderLock) -> None:
        self.inner = inner
        self.lock = lock
        self.name = f"leader:{inner.name}"

    async def run(self, stop: asyncio.Event) -> None:
        await self.lock.run(self.inner.run, stop)
