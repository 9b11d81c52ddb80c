"""The five services with demo data, and the built console in front of them: what the
console's browser tests (Playwright's webServer) and a person trying the console run.

Starts the services as separate processes under fresh `cons_*` schemas, creates what
`make demo` creates (teams, keys, agents, budgets, channels) plus a viewer, drives the
simulated fleet through the real SDK for a few seconds, waits until cost has priced every
call, then serves the console on --port until SIGTERM or Ctrl-C."""

from __future__ import annotations

import asyncio
import contextlib
import json
import signal
import threading
import time
from pathlib import Path
from typing import Annotated

import httpx
import typer
from aiosmtpd.controller import Controller
from console_serve import console_config, console_server
from demo import Counters, Sink, fresh_start, setup, start_fleet, webhook_receiver

from cognive_runtime.testing.stack import Stack, free_port

ROOT = Path(__file__).resolve().parent.parent
PREFIX = "cons"
VIEWER_EMAIL = "viewer@example.com"


async def add_viewer(system: Stack, admin: dict[str, str]) -> None:
    async with httpx.AsyncClient(timeout=20, headers=admin) as http:
        user = await http.post(system.url("registry") + "/v1/users", json={"email": VIEWER_EMAIL})
        user.raise_for_status()
        granted = await http.post(
            system.url("registry") + f"/v1/users/{user.json()['user_id']}/roles",
            json={"team_id": "cx", "role": "viewer"},
        )
        granted.raise_for_status()


async def settled(system: Stack, admin: dict[str, str], calls: int, timeout: float = 60) -> None:
    """Until cost has accounted for every call the fleet logged (priced or unpriced)."""
    deadline = time.monotonic() + timeout
    async with httpx.AsyncClient(timeout=10, headers=admin) as http:
        while True:
            answer = await http.get(
                system.url("cost") + "/v1/costs/summary", params={"group_by": "team"}
            )
            summary = answer.json()
            if summary["calls"] + summary["unpriced_calls"] >= calls:
                return
            if time.monotonic() > deadline:
                raise TimeoutError(f"cost accounted for {summary} of {calls} calls")
            await asyncio.sleep(0.25)


async def run(port: int, fleet_seconds: float, info: Path | None) -> None:
    await fresh_start(PREFIX)
    log_dir = ROOT / ".console-logs"
    log_dir.mkdir(exist_ok=True)
    counters = Counters()
    controller = Controller(Sink(counters), hostname="127.0.0.1", port=free_port())
    controller.start()
    hook, hook_port = await webhook_receiver(counters)
    origin = f"http://127.0.0.1:{port}"
    system = Stack(
        schema_prefix=PREFIX,
        amqp_prefix=f"{PREFIX}.",
        redis_prefix=f"{PREFIX}:",
        log_dir=log_dir,
        shared={"CORS_ORIGINS": json.dumps([origin, f"http://localhost:{port}"])},
        extra={
            "notification": {"SMTP_PORT": str(controller.port)},
            "budget": {"POLICY_REFRESH_S": "0.2"},
        },
    )
    stopping = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stopping.set)
    try:
        await system.start()
        context = await setup(system, hook_port)
        await add_viewer(system, context["admin"])
        stop = threading.Event()
        clients, threads = await asyncio.to_thread(
            start_fleet, system, context["keys"], stop, counters
        )
        await asyncio.sleep(fleet_seconds)
        stop.set()
        for thread in threads:
            await asyncio.to_thread(thread.join, 10)
        for client in clients:
            await asyncio.to_thread(client.close, 10)
        await settled(system, context["admin"], counters.calls)
        urls = {s: system.url(s) for s in system.ports}
        if info is not None:
            info.parent.mkdir(parents=True, exist_ok=True)
            await asyncio.to_thread(
                info.write_text,
                json.dumps(
                    {
                        "services": urls,
                        "admin_email": system.admin_email,
                        "viewer_email": VIEWER_EMAIL,
                        "calls": counters.calls,
                    }
                ),
            )
        server = console_server(console_config(urls), port)
        serving = asyncio.create_task(server.serve())
        print(f"console: {origin}  (sign in as {system.admin_email} or {VIEWER_EMAIL})", flush=True)
        await stopping.wait()
        server.should_exit = True
        await serving
    finally:
        await system.stop()
        hook.close()
        with contextlib.suppress(Exception):
            controller.stop()


def main(
    port: Annotated[int, typer.Option(help="Where the console is served.")] = 4173,
    fleet_seconds: Annotated[float, typer.Option(help="How long the fleet runs.")] = 6.0,
    info: Annotated[Path | None, typer.Option(help="Write service URLs and e-mails here.")] = None,
) -> None:
    asyncio.run(run(port, fleet_seconds, info))


if __name__ == "__main__":
    typer.run(main)
