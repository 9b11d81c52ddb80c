"""Background loops a service runs beside its HTTP API, and how they are supervised.

A loop runs until `stop` is set, then finishes what it has in flight and returns: that is
the graceful half of SIGTERM handling. Singleton loops (relay, projection runners, period
roller, delivery worker) are wrapped in a `LeaderLock` so that exactly one replica runs
each; queue consumers run in every replica."""

from __future__ import annotations

import asyncio
from typing import Protocol

import structlog

log = structlog.get_logger(__name__)


class Loop(Protocol):
    name: str

    async def run(self, stop: asyncio.Event) -> None: ...


class LoopGroup:
    """Starts loops as tasks; a loop that dies unexpectedly is logged and restarted after a
    pause, because one bad minute of Postgres must not leave a replica without its relay."""

    def __init__(self, loops: list[Loop], restart_delay_s: float = 1.0) -> None:
        self.loops = loops
        self.restart_delay_s = restart_delay_s
        self.stop_event = asyncio.Event()
        self._tasks: list[asyncio.Task[None]] = []

    def start(self) -> None:
        self._tasks = [
            asyncio.create_task(self._supervise(loop), name=f"loop:{loop.name}")
            for loop in self.loops
        ]

    async def _supervise(self, loop: Loop) -> None:
        while not self.stop_event.is_set():
            try:
                await loop.run(self.stop_event)
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("loop.crashed", loop=loop.name)
                try:
                    await asyncio.wait_for(self.stop_event.wait(), self.restart_delay_s)
                except TimeoutError:
                    continue

    async def stop(self, timeout: float) -> None:
        self.stop_event.set()
        if not self._tasks:
            return
        _done, pending = await asyncio.wait(self._tasks, timeout=timeout)
        for task in pending:
            log.warning("loop.stop_timeout", loop=task.get_name())
            task.cancel()
        await asyncio.gather(*pending, return_exceptions=True)
