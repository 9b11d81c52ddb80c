"""Services as real subprocesses: start with settings, wait for readiness, stop by signal."""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Awaitable, Callable, Collection, Mapping, Sequence
from pathlib import Path
from typing import IO

import httpx


def free_port(taken: Collection[int] = ()) -> int:
    """A port free now and not among `taken`: the kernel may hand out one port twice in a
    row, and two services given one port answer each other's readiness checks (seen: ingest
    failed to bind while budget, on the same port, answered for it)."""
    while True:
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            port = int(s.getsockname()[1])
        if port not in taken:
            return port


async def wait_until(
    condition: Callable[[], Awaitable[bool]] | Callable[[], bool],
    *,
    timeout: float = 10.0,
    interval: float = 0.05,
    message: str = "condition",
) -> None:
    """Poll with a deadline; tests never sleep a fixed time to wait for something."""
    deadline = time.monotonic() + timeout
    while True:
        result = condition()
        if asyncio.iscoroutine(result):
            result = await result
        if result:
            return
        if time.monotonic() > deadline:
            raise TimeoutError(f"{message} not reached within {timeout}s")
        await asyncio.sleep(interval)


class ServiceProcess:
    """One service (or any Python entry point) in its own process.

    `ready_url` is polled until it answers 200; without it, `ready_marker` is awaited in the
    process's output. Output goes to `log_path` so a failing test can show it."""

    def __init__(
        self,
        argv: Sequence[str],
        *,
        env: Mapping[str, str] | None = None,
        log_path: Path,
        ready_url: str | None = None,
        ready_marker: str | None = None,
        python_module: bool = True,
    ) -> None:
        self.argv = [sys.executable, "-m", *argv] if python_module else list(argv)
        self.env = {**os.environ, **(env or {})}
        self.log_path = log_path
        self.ready_url = ready_url
        self.ready_marker = ready_marker
        self.proc: subprocess.Popen[bytes] | None = None
        self._log: IO[bytes] | None = None

    async def start(self, timeout: float = 30.0) -> ServiceProcess:
        self._log = self.log_path.open("ab")
        self.proc = subprocess.Popen(  # noqa: S603 - argv is built by the test itself
            self.argv, env=self.env, stdout=self._log, stderr=subprocess.STDOUT
        )
        await wait_until(self._ready, timeout=timeout, interval=0.1, message=f"{self.argv} ready")
        return self

    async def _ready(self) -> bool:
        assert self.proc is not None
        if self.proc.poll() is not None:
            raise RuntimeError(
                f"{self.argv} exited with {self.proc.returncode}:\n{self.output()[-4000:]}"
            )
        if self.ready_url:
            try:
                async with httpx.AsyncClient(timeout=1.0) as client:
                    return (await client.get(self.ready_url)).status_code == 200
            except httpx.HTTPError:
                return False
        if self.ready_marker:
            return self.ready_marker in self.output()
        return True

    def output(self) -> str:
        try:
            return self.log_path.read_text(errors="replace")
        except FileNotFoundError:
            return ""

    @property
    def pid(self) -> int:
        assert self.proc is not None
        return self.proc.pid

    def send(self, sig: signal.Signals) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(sig)

    async def wait(self, timeout: float = 30.0) -> int:
        assert self.proc is not None
        deadline = time.monotonic() + timeout
        while self.proc.poll() is None:
            if time.monotonic() > deadline:
                raise TimeoutError(f"{self.argv} still running after {timeout}s")
            await asyncio.sleep(0.05)
        if self._log is not None:
            self._log.close()
        return self.proc.returncode

    async def terminate(self, timeout: float = 30.0) -> int:
        """SIGTERM: the graceful path every service must honour."""
        self.send(signal.SIGTERM)
        return await self.wait(timeout)

    async def kill(self) -> int:
        """SIGKILL: a crash at an arbitrary point."""
        self.send(signal.SIGKILL)
        return await self.wait(10)

    async def stop(self) -> None:
        if self.proc is None or self.proc.poll() is not None:
            return
        try:
            await self.terminate(10)
        except TimeoutError:
            await self.kill()
