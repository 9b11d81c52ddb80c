"""`make demo`: the whole system on this machine, driven by a simulated fleet of agents
through the real SDK, with a live view.

Starts the five services as separate processes (fresh `demo_*` schemas), a local webhook
receiver and SMTP sink, creates two teams, keys, agents, budgets (the `cx` daily budget is
sized to be crossed), a signed webhook and an e-mail channel; then runs agents for
`--seconds` with realistic models and token mixes, tool calls, a few policy violations and
a model no price is known for. Ctrl-C stops everything cleanly."""

from __future__ import annotations

import asyncio
import contextlib
import json
import random
import threading
import time
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from fnmatch import fnmatch
from pathlib import Path
from typing import Annotated, Any

import asyncpg
import httpx
import redis.asyncio as aioredis
import typer
import uvicorn
from aiosmtpd.controller import Controller
from console_serve import console_config, console_server
from rich.console import Console, Group
from rich.live import Live
from rich.panel import Panel
from rich.table import Table

import cognive
from cognive_contracts.topology import load_manifest
from cognive_runtime.amqp import connect_amqp
from cognive_runtime.db import quote_ident
from cognive_runtime.testing.amqp_fixtures import delete_prefixed
from cognive_runtime.testing.stack import Stack, free_port

ROOT = Path(__file__).resolve().parent.parent
PG_DSN = "postgresql://postgres@127.0.0.1:5432/test"
AMQP_URL = "amqp://guest:guest@127.0.0.1:5672/"
REDIS_URL = "redis://127.0.0.1:6379/0"
console = Console()

# (provider, model, typical input tokens, output tokens, cached share)
MODELS = [
    ("openai", "gpt-4o", 3_000, 600, 0.3),
    ("openai", "gpt-4o-mini", 6_000, 900, 0.5),
    ("anthropic", "claude-3-5-sonnet-latest", 4_000, 800, 0.4),
    ("google", "gemini-1.5-flash", 8_000, 700, 0.0),
    ("self-hosted", "acme-llm-7b", 2_000, 400, 0.0),  # no price known: shows as unpriced
]
TOOLS = ["search", "crm_lookup", "send_email", "sql_query"]
AGENTS = [
    ("cx", "support-bot", ["gpt-4o*", "claude-3-5-sonnet*"]),
    ("cx", "triage-bot", ["gpt-4o-mini", "acme-llm-7b"]),
    ("search", "research-bot", ["gemini-1.5-*", "gpt-4o*"]),
    ("search", "summarizer", ["gpt-4o-mini", "claude-3-5-sonnet*"]),
]


@dataclass
class Counters:
    calls: int = 0
    tools: int = 0
    blocked: int = 0
    violations: int = 0
    events: int = 0
    webhooks: int = 0
    emails: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, name: str, n: int = 1) -> None:
        with self.lock:
            setattr(self, name, getattr(self, name) + n)


class Sink:
    def __init__(self, counters: Counters) -> None:
        self.counters = counters

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        message = message_from_bytes(envelope.content, policy=policy.default)
        self.counters.emails.append(str(message["Subject"]))
        return "250 OK"


async def webhook_receiver(counters: Counters) -> tuple[asyncio.base_events.Server, int]:
    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        head = await reader.readuntil(b"\r\n\r\n")
        length = 0
        for line in head.split(b"\r\n"):
            if line.lower().startswith(b"content-length:"):
                length = int(line.split(b":")[1])
        await reader.readexactly(length)
        counters.add("webhooks")
        writer.write(b"HTTP/1.1 204 No Content\r\nConnection: close\r\n\r\n")
        await writer.drain()
        writer.close()

    server = await asyncio.start_server(handle, "127.0.0.1", 0)
    return server, server.sockets[0].getsockname()[1]


async def fresh_start(prefix: str = "demo") -> None:
    """A previous run's schemas, queues (with any messages left in them) and Redis keys
    would leak into this one: remove them."""
    conn = await asyncpg.connect(PG_DSN)
    try:
        for (schema,) in await conn.fetch(
            "SELECT nspname FROM pg_namespace WHERE nspname LIKE $1", f"{prefix}\\_%"
        ):
            await conn.execute(f"DROP SCHEMA {quote_ident(schema)} CASCADE")
    finally:
        await conn.close()
    amqp = await connect_amqp(AMQP_URL)
    try:
        await delete_prefixed(amqp, f"{prefix}.", load_manifest().with_prefix(f"{prefix}."))
    finally:
        await amqp.close()
    redis = aioredis.Redis.from_url(REDIS_URL)
    async for key in redis.scan_iter(match=f"{prefix}:*", count=1000):
        await redis.delete(key)
    await redis.aclose()


async def setup(system: Stack, hook_port: int) -> dict[str, Any]:
    async with httpx.AsyncClient(timeout=20) as http:
        token = (
            await http.post(
                system.url("registry") + "/v1/auth/dev-login", json={"email": system.admin_email}
            )
        ).json()["access_token"]
        admin = {"Authorization": f"Bearer {token}"}
        keys = {}
        for team in ("cx", "search"):
            await http.post(
                system.url("registry") + "/v1/teams",
                json={"team_id": team, "name": team.upper()},
                headers=admin,
            )
            issued = await http.post(
                system.url("registry") + "/v1/api-keys",
                json={
                    "team_id": team,
                    "name": "fleet",
                    "scopes": ["events:write", "agents:register", "budget:check", "read"],
                },
                headers=admin,
            )
            keys[team] = issued.json()["api_key"]
        budgets = [
            {
                "name": "cx daily",
                "scope_kind": "team",
                "scope_id": "cx",
                "period": "day",
                "limit_micros": 150_000,
                "mode": "hard",
            },
            {
                "name": "search daily",
                "scope_kind": "team",
                "scope_id": "search",
                "period": "day",
                "limit_micros": 5_000_000,
                "mode": "hard",
            },
            {
                "name": "org monthly",
                "scope_kind": "org",
                "scope_id": "acme",
                "period": "month",
                "limit_micros": 2_000_000,
                "mode": "soft",
                "thresholds": [25, 50, 80, 100],
            },
        ]
        for body in budgets:
            await http.post(system.url("budget") + "/v1/budgets", json=body, headers=admin)
        for body in (
            {"kind": "webhook", "url": f"http://127.0.0.1:{hook_port}/hook"},
            {"kind": "email", "recipients": ["cx-lead@example.com"]},
        ):
            channel = (
                await http.post(
                    system.url("notification") + "/v1/channels",
                    json={"team_id": "cx", "name": body["kind"], **body},
                    headers=admin,
                )
            ).json()
            await http.post(
                system.url("notification") + "/v1/subscriptions",
                json={
                    "channel_id": channel["channel_id"],
                    "event_types": [
                        "budget.threshold.crossed.v1",
                        "budget.exceeded.v1",
                        "ingest.policy.violated.v1",
                    ],
                },
                headers=admin,
            )

        async def keys_known() -> bool:
            for key in keys.values():
                bearer = {"Authorization": f"Bearer {key}"}
                for service, path in (("ingest", "/v1/runs"), ("budget", "/v1/blocked-calls")):
                    if (
                        await http.get(system.url(service) + path, headers=bearer)
                    ).status_code != 200:
                        return False
            return True

        for _ in range(200):
            if await keys_known():
                break
            await asyncio.sleep(0.1)
        return {"admin": admin, "keys": keys}


def agent_loop(
    client: cognive.Client,
    agent: Any,
    allowed: list[str],
    stop: threading.Event,
    counters: Counters,
    seed: int,
) -> None:
    rng = random.Random(seed)  # noqa: S311 (a simulation, not a secret)
    while not stop.is_set():
        with agent.run(metadata={"ticket": rng.randint(1000, 9999)}) as run:
            for _ in range(rng.randint(2, 5)):
                if stop.is_set():
                    break
                provider, model, inp, out, cached = rng.choice(MODELS)
                if not any(fnmatch(model, p) for p in allowed):
                    if rng.random() > 0.05:  # now and then an agent strays: a violation
                        continue
                    counters.add("violations")
                try:
                    run.check_budget(model, estimated_tokens=inp + out)
                except cognive.BudgetExceeded:
                    counters.add("blocked")
                    time.sleep(0.5)
                    break
                except cognive.CogniveError:
                    pass
                input_tokens = int(inp * rng.uniform(0.5, 1.5))
                run.log_llm_call(
                    model=model,
                    provider=provider,
                    input_tokens=input_tokens,
                    cached_input_tokens=int(input_tokens * cached),
                    output_tokens=int(out * rng.uniform(0.5, 1.5)),
                    latency_ms=rng.randint(300, 3000),
                )
                counters.add("calls")
                if rng.random() < 0.6:
                    # Mostly approved tools; the last one (not approved) now and then.
                    tool = TOOLS[-1] if rng.random() < 0.03 else rng.choice(TOOLS[:-1])
                    run.log_tool_call(tool, status="ok", latency_ms=rng.randint(20, 400))
                    counters.add("tools")
                time.sleep(rng.uniform(0.05, 0.3))


def start_fleet(
    system: Stack, keys: dict[str, str], stop: threading.Event, counters: Counters
) -> tuple[list[cognive.Client], list[threading.Thread]]:
    """One SDK client and agent per entry of AGENTS, each looping in a thread until `stop`."""
    clients, threads = [], []
    for n, (team, name, allowed) in enumerate(AGENTS):
        client = cognive.Client(
            api_key=keys[team],
            registry_url=system.url("registry"),
            ingest_url=system.url("ingest"),
            budget_url=system.url("budget"),
            flush_interval_s=0.2,
        )
        clients.append(client)
        # One tool is left unapproved: calling it now and then is a policy violation.
        agent = client.register_agent(
            name, team=team, allowed_models=allowed, approved_tools=TOOLS[:-1], framework="custom"
        )
        NAMES[agent.agent_id] = f"{name} (agent)"
        thread = threading.Thread(
            target=agent_loop, args=(client, agent, allowed, stop, counters, n), daemon=True
        )
        threads.append(thread)
        thread.start()
    return clients, threads


async def snapshot(system: Stack, admin: dict[str, str]) -> dict[str, Any]:
    async with httpx.AsyncClient(timeout=5, headers=admin) as http:
        summary = (
            await http.get(system.url("cost") + "/v1/costs/summary", params={"group_by": "team"})
        ).json()
        agents = (
            await http.get(system.url("cost") + "/v1/costs/summary", params={"group_by": "agent"})
        ).json()
        budgets = (
            await http.get(system.url("budget") + "/v1/budgets", params={"with_status": "true"})
        ).json()["items"]
        unpriced = (await http.get(system.url("cost") + "/v1/pricing/unpriced")).json()
    return {"summary": summary, "agents": agents, "budgets": budgets, "unpriced": unpriced}


def usd(micros: int) -> str:
    return f"${micros / 1_000_000:,.4f}"


NAMES: dict[str, str] = {}


def view(snap: dict[str, Any] | None, counters: Counters, elapsed: float) -> Group:
    head = Table.grid(padding=(0, 3))
    rate = counters.calls / elapsed if elapsed else 0.0
    head.add_row(
        f"[bold]{elapsed:,.0f} s[/]",
        f"LLM calls [bold]{counters.calls}[/] ({rate:,.1f}/s)",
        f"tool calls [bold]{counters.tools}[/]",
        f"blocked (429) [bold red]{counters.blocked}[/]",
        f"alerts: webhook [bold]{counters.webhooks}[/], e-mail [bold]{len(counters.emails)}[/]",
    )
    parts: list[Any] = [head]
    if snap:
        costs = Table(title="Cost by team / agent (priced calls)", expand=True)
        costs.add_column("group")
        costs.add_column("calls", justify="right")
        costs.add_column("cost", justify="right")
        for g in snap["summary"].get("groups", []) + snap["agents"].get("groups", []):
            name = NAMES.get(g["group"], g["group"] or "?")
            costs.add_row(name, str(g["calls"]), usd(g["total_micros"]))
        budgets = Table(title="Budgets", expand=True)
        for col in ("budget", "mode", "spent", "reserved", "limit", "used", "crossed"):
            budgets.add_column(col)
        for b in snap["budgets"]:
            s = b.get("status") or {}
            budgets.add_row(
                b["name"],
                b["mode"],
                usd(s.get("spent_micros", 0)),
                usd(s.get("reserved_micros", 0)),
                usd(b["limit_micros"]),
                f"{s.get('percent_used', 0):.0f}%",
                ", ".join(f"{t}%" for t in s.get("thresholds_crossed", [])),
            )
        parts += [costs, budgets]
        if snap["unpriced"]:
            parts.append(
                "[yellow]Unpriced (waiting for a price, never $0):[/] "
                + ", ".join(f"{u['provider']}/{u['model']} x{u['calls']}" for u in snap["unpriced"])
            )
    return Group(*parts)


CONSOLE_DIST = ROOT / "console" / "dist"


async def run_demo(seconds: float, stay: bool, console_port: int) -> None:
    counters = Counters()
    # The web console, when it has been built (`make console`; `make demo` does it).
    with_console = (CONSOLE_DIST / "index.html").exists()
    console_origin = f"http://127.0.0.1:{console_port}"
    await fresh_start()
    log_dir = ROOT / ".demo-logs"
    log_dir.mkdir(exist_ok=True)
    smtp_port = free_port()
    controller = Controller(Sink(counters), hostname="127.0.0.1", port=smtp_port)
    controller.start()
    server, hook_port = await webhook_receiver(counters)
    system = Stack(
        schema_prefix="demo",
        amqp_prefix="demo.",
        redis_prefix="demo:",
        log_dir=log_dir,
        shared={"CORS_ORIGINS": json.dumps([console_origin])} if with_console else {},
        extra={
            "notification": {"SMTP_PORT": str(smtp_port)},
            "budget": {"POLICY_REFRESH_S": "0.2"},
        },
    )
    web: uvicorn.Server | None = None
    web_task: asyncio.Task[None] | None = None
    stop = threading.Event()
    started = time.monotonic()
    context: dict[str, Any] = {}
    threads: list[threading.Thread] = []
    clients: list[cognive.Client] = []
    try:
        with console.status("starting registry, ingest, cost, budget, notification ..."):
            await system.start()
        with console.status("creating teams, keys, budgets, channels ..."):
            context = await setup(system, hook_port)
        if with_console:
            urls = {s: system.url(s) for s in system.ports}
            web = console_server(console_config(urls), console_port)
            web_task = asyncio.create_task(web.serve())
            console.print(f"[bold]console[/]: {console_origin}  (sign in as {system.admin_email})")
        clients, threads = start_fleet(system, context["keys"], stop, counters)
        started = time.monotonic()
        snap = None
        with Live(view(None, counters, 0), console=console, refresh_per_second=2) as live:
            while time.monotonic() - started < seconds:
                await asyncio.sleep(1)
                with contextlib.suppress(Exception):
                    snap = await snapshot(system, context["admin"])
                live.update(
                    Panel(view(snap, counters, time.monotonic() - started), title="Cognive demo")
                )
    except (KeyboardInterrupt, asyncio.CancelledError):
        console.print("[yellow]stopping ...[/]")
    finally:
        stop.set()
        for thread in threads:
            thread.join(5)
        for client in clients:
            client.close(5)
        await asyncio.sleep(2)
        with contextlib.suppress(Exception):
            final = await snapshot(system, context["admin"])
            console.print(Panel(view(final, counters, time.monotonic() - started), title="Final"))
        if stay and context:
            console.print(
                f"The fleet stopped; the services{' and the console' if web else ''} stay up"
                f"{f' at {console_origin}' if web else ''}. Ctrl-C stops everything."
            )
            with contextlib.suppress(KeyboardInterrupt, asyncio.CancelledError):
                await asyncio.Event().wait()
        if web is not None and web_task is not None:
            web.should_exit = True
            with contextlib.suppress(Exception):
                await web_task
        await system.stop()
        server.close()
        controller.stop()
    console.print(
        Panel(
            "\n".join(
                [
                    f"LLM calls {counters.calls}, tool calls {counters.tools}, "
                    f"blocked by budget {counters.blocked}, stray models {counters.violations}",
                    f"alerts delivered: {counters.webhooks} signed webhooks, "
                    f"{len(counters.emails)} e-mails",
                    *[f"  e-mail: {s}" for s in counters.emails[:8]],
                    "",
                    *(
                        [f"  console: {console_origin} (sign in as {system.admin_email})"]
                        if with_console
                        else ["  (build the web console with `make console` to see it here)"]
                    ),
                    "While it runs, look at (ports change per run; see the logs):",
                    *[
                        f"  {s:13} {system.url(s)}/docs   {system.url(s)}/metrics"
                        for s in system.ports
                    ],
                    "  .venv/bin/cognive-admin status    (operations issue)",
                    f"  service logs: {log_dir.relative_to(ROOT)}/<service>.log",
                ]
            ),
            title="Summary",
        )
    )


def main(
    seconds: Annotated[float, typer.Option(help="How long the fleet runs.")] = 60.0,
    stay: Annotated[bool, typer.Option(help="Keep serving after the fleet stops.")] = False,
    console_port: Annotated[int, typer.Option(help="Where the web console is served.")] = 4174,
) -> None:
    asyncio.run(run_demo(seconds, stay, console_port))


if __name__ == "__main__":
    typer.run(main)
