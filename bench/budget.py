"""Budget benchmark: pre-flight checks/s and latency through ``POST /v1/checks``.

One command (`python bench/budget.py`). Budget runs as a real subprocess (one HTTP worker,
its loops running as in production) with five applicable policies per check (org month,
team month, team day, agent day, per run), the shape ARCHITECTURE §7 describes. The load
comes from a *separate* process: keep-alive HTTP/1.1 connections on an open-loop schedule
at a series of fixed rates, latency counted from each check's scheduled time (no
coordinated omission).
Beside it in the same run: the bare check-and-reserve Lua script through redis-py with the
same keys, the floor under the HTTP path. Reported: p50/p99 at each rate, the highest rate
whose p99 stays under 5 ms, and the baseline's rate and latency.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import secrets
import subprocess
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import asyncpg
import httpx
from _common import (
    AMQP_URL,
    PG_DSN,
    REDIS_URL,
    Row,
    cleanup,
    free_port,
    percentile,
    render,
    write_section,
)

HERE = Path(__file__).resolve().parent
RUNS = 64


# ------------------------------------------------------------------ the load process


class RawHttp:
    """A keep-alive HTTP/1.1 connection that writes a request and reads one response with
    a few syscalls: the load generator shares two cores with the service, Postgres and
    Redis, and httpx's per-request cost (~0.3 ms) would cap the rate before budget did."""

    def __init__(self, host: str, port: int, key: str) -> None:
        self.host, self.port = host, port
        self.head = (
            f"POST /v1/checks HTTP/1.1\r\nHost: {host}:{port}\r\n"
            f"Authorization: Bearer {key}\r\nContent-Type: application/json\r\n"
        )

    async def connect(self) -> None:
        self.reader, self.writer = await asyncio.open_connection(self.host, self.port)

    async def post(self, body: bytes) -> int:
        self.writer.write((self.head + f"Content-Length: {len(body)}\r\n\r\n").encode() + body)
        head = await self.reader.readuntil(b"\r\n\r\n")
        status = int(head[9:12])
        length = 0
        for line in head.split(b"\r\n"):
            if line[:15].lower() == b"content-length:":
                length = int(line[15:])
        await self.reader.readexactly(length)
        return status

    async def close(self) -> None:
        self.writer.close()
        with contextlib.suppress(Exception):
            await self.writer.wait_closed()


async def load(
    url: str, key: str, concurrency: int, duration: float, rate: float
) -> dict[str, Any]:
    host, port = url.removeprefix("http://").split(":")
    clients = [RawHttp(host, int(port), key) for _ in range(concurrency)]
    await asyncio.gather(*(c.connect() for c in clients))
    latencies: list[float] = []
    codes: dict[int, int] = {}
    schedule = iter(range(10**9))
    started = time.perf_counter()
    deadline = started + duration

    async def client(worker: int, http: RawHttp) -> None:
        n = 0
        while True:
            due = started + next(schedule) / rate
            delay = due - time.perf_counter()
            if delay > 0:
                await asyncio.sleep(delay)
            if due >= deadline:
                return
            n += 1
            body = json.dumps(
                {
                    "agent_id": "bench-agent",
                    "model": "gpt-4o",
                    "run_id": f"run-{(worker * 7 + n) % RUNS}",
                    "estimated_cost_micros": 1,
                }
            ).encode()
            status = await http.post(body)
            latencies.append(time.perf_counter() - due)
            codes[status] = codes.get(status, 0) + 1

    await asyncio.gather(*(client(w, c) for w, c in enumerate(clients)))
    elapsed = time.perf_counter() - started
    for c in clients:
        await c.close()
    return {
        "checks_per_s": len(latencies) / elapsed,
        "codes": codes,
        "p50_ms": percentile(latencies, 0.50) * 1000,
        "p99_ms": percentile(latencies, 0.99) * 1000,
    }


def run_load(url: str, key: str, concurrency: int, duration: float, rate: float) -> dict[str, Any]:
    argv = [
        sys.executable,
        str(HERE / "budget.py"),
        "--load",
        url,
        key,
        str(concurrency),
        str(duration),
        str(rate),
    ]
    out = subprocess.run(argv, capture_output=True, text=True, check=True, cwd=HERE).stdout
    return dict(json.loads(out.strip().splitlines()[-1]))


# ------------------------------------------------------------------ the Lua baseline


async def lua_baseline(prefix: str, concurrency: int, duration: float) -> dict[str, float]:
    """The check-and-reserve script alone, closed loop from `concurrency` tasks."""
    import redis.asyncio as aioredis

    from cognive_budget.preflight.store import CounterLimit, PreflightStore

    redis = aioredis.Redis.from_url(REDIS_URL)
    store = PreflightStore(redis, prefix)
    await redis.set(store.ready_key, "bench")
    latencies: list[float] = []
    deadline = time.perf_counter() + duration

    async def worker(w: int) -> None:
        n = 0
        while time.perf_counter() < deadline:
            n += 1
            counters = [
                CounterLimit(f"p{i}", "2026-01-01T00:00:00+00:00", 10**15, True, 3600)
                for i in range(4)
            ] + [CounterLimit("run", f"run:run-{(w * 7 + n) % RUNS}", 10**15, True, 3600)]
            t = time.perf_counter()
            await store.check_and_reserve(
                counters, 1, uuid.uuid4().hex, datetime.now(UTC) + timedelta(minutes=5), 300
            )
            latencies.append(time.perf_counter() - t)

    started = time.perf_counter()
    await asyncio.gather(*(worker(w) for w in range(concurrency)))
    elapsed = time.perf_counter() - started
    async for k in redis.scan_iter(match=f"{prefix}*", count=1000):
        await redis.delete(k)
    await redis.aclose()
    return {
        "per_s": len(latencies) / elapsed,
        "p50_ms": percentile(latencies, 0.5) * 1000,
        "p99_ms": percentile(latencies, 0.99) * 1000,
    }


# ------------------------------------------------------------------ setup


async def prepare(schema: str) -> str:
    """Budget's schema migrated, one key with budget:check in its key projection."""
    from cognive_budget.bootstrap import migrations
    from cognive_contracts.events.registry import ApiKeyIssuedV1
    from cognive_runtime.auth import generate_api_key
    from cognive_runtime.auth.key_projection import apply_issued
    from cognive_runtime.db import apply_migrations
    from cognive_runtime.db.pool import connect

    conn = await asyncpg.connect(PG_DSN)
    try:
        await apply_migrations(conn, schema, migrations())
    finally:
        await conn.close()
    key = generate_api_key("bench")
    conn = await connect(PG_DSN, schema)
    try:
        async with conn.transaction():
            await apply_issued(
                conn,
                [
                    ApiKeyIssuedV1(
                        key_id=key.key_id,
                        name="bench",
                        prefix=key.prefix,
                        secret_sha256=key.secret_sha256_hex,
                        team_id="team-bench",
                        scopes=["budget:check"],
                        issued_at=datetime.now(UTC) - timedelta(minutes=1),
                    )
                ],
            )
    finally:
        await conn.close()
    return key.plaintext


async def define_policies(url: str, settings: Any) -> None:
    from cognive_runtime.auth import issue_dev_token

    token = issue_dev_token(settings, "bench-admin", [], org_role="admin")
    big = 10**15
    bodies = [
        {"scope_kind": "org", "scope_id": "acme", "period": "month"},
        {"scope_kind": "team", "scope_id": "team-bench", "period": "month"},
        {"scope_kind": "team", "scope_id": "team-bench", "period": "day"},
        {
            "scope_kind": "agent",
            "scope_id": "bench-agent",
            "period": "day",
            "team_id": "team-bench",
        },
        {
            "scope_kind": "agent",
            "scope_id": "bench-agent",
            "period": "run",
            "team_id": "team-bench",
        },
    ]
    async with httpx.AsyncClient(base_url=url, headers={"Authorization": f"Bearer {token}"}) as c:
        for n, body in enumerate(bodies):
            r = await c.post("/v1/budgets", json={"name": f"b{n}", "limit_micros": big, **body})
            r.raise_for_status()


async def main(concurrency: int, duration: float, rates: list[float]) -> None:
    from cognive_budget.settings import BudgetSettings
    from cognive_runtime.testing import ServiceProcess

    tag = secrets.token_hex(3)
    schema, prefix, redis_prefix = f"bench_budget_{tag}", f"bench{tag}.", f"bench{tag}:"
    key = await prepare(schema)
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    env = {
        "COGNIVE_BUDGET_DB_SCHEMA": schema,
        "COGNIVE_BUDGET_POSTGRES_DSN": PG_DSN,
        "COGNIVE_BUDGET_RABBITMQ_URL": AMQP_URL,
        "COGNIVE_BUDGET_REDIS_URL": REDIS_URL,
        "COGNIVE_BUDGET_AMQP_PREFIX": prefix,
        "COGNIVE_BUDGET_REDIS_PREFIX": redis_prefix,
        "COGNIVE_BUDGET_RATE_LIMIT_PER_KEY_PER_S": "1000000",
        "COGNIVE_BUDGET_LOG_LEVEL": "WARNING",
        "COGNIVE_BUDGET_HTTP_PORT": str(port),
        "COGNIVE_BUDGET_HTTP_WORKERS": "1",
    }
    process = ServiceProcess(
        ["cognive_budget"],
        env=env,
        log_path=Path(tempfile.gettempdir()) / f"bench-budget-{tag}.log",
        ready_url=f"{url}/health/ready",
    )
    load_before = os.getloadavg()[0]
    results: list[dict[str, Any]] = []
    try:
        await process.start(timeout=60)
        await define_policies(url, BudgetSettings())
        run_load(url, key, 4, 2, 200)  # warm-up: connections, key cache, scripts
        for rate in rates:
            result = run_load(url, key, concurrency, duration, rate)
            result["rate"] = rate
            print(json.dumps(result), file=sys.stderr)
            results.append(result)
        baseline = await lua_baseline(f"bench{tag}:lua:", concurrency, duration)
    finally:
        await process.stop()
        await cleanup(schema, prefix, redis_prefix)
    under = [r for r in results if r["p99_ms"] < 5 and r["codes"].get("200", 0)]
    best = max((r["checks_per_s"] for r in under), default=0.0)
    rows: list[Row] = [
        Row(
            "highest offered rate with p99 < 5 ms",
            "checks/s",
            best,
            "bare Lua check-and-reserve via redis-py (saturated)",
            baseline["per_s"],
            "p99 < 5 ms at 2,000 checks/s",
        ),
        Row("bare Lua: p50", "µs", baseline["p50_ms"] * 1000, "", None),
        Row("bare Lua: p99", "µs", baseline["p99_ms"] * 1000, "", None),
    ]
    for r in results:
        rows.append(Row(f"at {r['rate']:,.0f}/s offered: p50", "µs", r["p50_ms"] * 1000, "", None))
        rows.append(
            Row(
                f"at {r['rate']:,.0f}/s offered ({r['checks_per_s']:,.0f}/s done): p99",
                "µs",
                r["p99_ms"] * 1000,
                "bare Lua p99",
                baseline["p99_ms"] * 1000,
                "< 5,000 µs" if r["rate"] == 2000 else "",
            )
        )
    errors = sum(v for r in results for c, v in r["codes"].items() if str(c) != "200")
    render("cognive budget pre-flight", rows)
    write_section(
        "Budget pre-flight (bench/budget.py)",
        f"`POST /v1/checks` on budget started as a real process (1 HTTP worker, its loops "
        "running), five applicable policies per check (org month, team month, team day, agent "
        f"day, per run over {RUNS} runs), each check reserving its estimate on all five "
        "counters in one Lua call. Load from a separate process: "
        f"{concurrency} keep-alive HTTP/1.1 "
        "connections (a minimal client, so that the load generator is not the bottleneck) "
        f"on an open-loop schedule, {duration:.0f} s per rate, latency from each check's "
        "scheduled time. Baseline in the same run: the same Lua script called through "
        f"redis-py by {concurrency} concurrent tasks, closed loop. Non-200 answers: {errors}. "
        f"Load average at start / end: {load_before:.1f} / {os.getloadavg()[0]:.1f}.",
        rows,
    )


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "--load":
        _, _, url, key, conc, dur, rate = sys.argv
        print(json.dumps(asyncio.run(load(url, key, int(conc), float(dur), float(rate)))))
        sys.exit(0)
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--duration", type=float, default=8.0, help="seconds per rate")
    parser.add_argument(
        "--rates", default="500,1000,1500,2000,2500,3000", help="offered checks/s, comma-separated"
    )
    args = parser.parse_args()
    os.environ.setdefault("PYTHONUNBUFFERED", "1")
    rates = [float(r) for r in args.rates.split(",")]
    asyncio.run(main(args.concurrency, args.duration, rates))
