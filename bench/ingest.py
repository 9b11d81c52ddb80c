"""Ingest benchmark: accepted LLM-call events/s through ``POST /v1/events``.

One command (`python bench/ingest.py`). Ingest runs as a real subprocess (the runtime's
`ServiceProcess`, with its relay, projections and policy checker running as in production);
the load comes from a *separate* process of concurrent httpx clients posting batches of 100
LLM-call events. Measured: the saturation rate (closed loop), p50/p99 per batch there, and
p50/p99 at half that rate (open loop, fixed arrival schedule) — beside a raw baseline in the
same run: asyncpg inserting the same rows, 100 per statement, with the same concurrency.
"""

from __future__ import annotations

import argparse
import asyncio
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

BATCH = 100
HERE = Path(__file__).resolve().parent


def llm_event(run_id: str, agent_id: str) -> dict[str, Any]:
    return {
        "kind": "llm_call",
        "event_id": str(uuid.uuid4()),
        "run_id": run_id,
        "agent_id": agent_id,
        "occurred_at": datetime.now(UTC).isoformat(),
        "call_id": uuid.uuid4().hex,
        "provider": "openai",
        "model": "gpt-4o-2024-08-06",
        "usage": {
            "input_tokens": 1834,
            "output_tokens": 412,
            "cached_input_tokens": 1024,
            "cache_write_tokens": 0,
            "reasoning_tokens": 0,
        },
        "latency_ms": 1234,
        "status": "ok",
        "provider_request_id": "chatcmpl-" + secrets.token_hex(12),
        "reservation_id": str(uuid.uuid4()),
    }


def batch_body(worker: int, n: int) -> bytes:
    # A batch spans a few runs, as an SDK process flushing several concurrent runs would.
    runs = [f"bench-{worker}-{n}-{i}" for i in range(4)]
    return json.dumps(
        {"events": [llm_event(runs[i % 4], f"agent-{worker % 8}") for i in range(BATCH)]}
    ).encode()


# ------------------------------------------------------------------ the load process


async def load(
    url: str, key: str, concurrency: int, duration: float, rate: float | None
) -> dict[str, Any]:
    """Closed loop (rate None): each client posts as fast as answers come back. Open loop:
    batches are due on a fixed schedule of `rate` batches/s shared by the clients, and
    latency counts from the due time, so a stall is not hidden (no coordinated omission)."""
    import httpx

    headers = {"Authorization": f"Bearer {key}", "Content-Type": "application/json"}
    limits = httpx.Limits(max_connections=1, max_keepalive_connections=1)
    # Built (and connected) before the clock starts: creating a client costs tens of ms of
    # TLS-context setup that would otherwise show up as the first batches' latency.
    clients = [
        httpx.AsyncClient(base_url=url, headers=headers, limits=limits, timeout=30)
        for _ in range(concurrency)
    ]
    await asyncio.gather(*(c.get("/health/ready") for c in clients))
    latencies: list[float] = []
    accepted = 0
    errors = 0
    schedule = iter(range(10**9))
    started = time.perf_counter()
    deadline = started + duration

    async def client(worker: int, http: httpx.AsyncClient) -> None:
        nonlocal accepted, errors
        n = 0
        while True:
            body = batch_body(worker, n)
            n += 1
            if rate is None:
                due = time.perf_counter()
            else:
                due = started + next(schedule) / rate
                delay = due - time.perf_counter()
                if delay > 0:
                    await asyncio.sleep(delay)
            if due >= deadline:
                return
            response = await http.post("/v1/events", content=body)
            latencies.append(time.perf_counter() - due)
            if response.status_code == 202:
                accepted += response.json()["accepted"]
            else:
                errors += 1

    await asyncio.gather(*(client(w, c) for w, c in enumerate(clients)))
    elapsed = time.perf_counter() - started
    for c in clients:
        await c.aclose()
    return {
        "events_per_s": accepted / elapsed,
        "batches": len(latencies),
        "errors": errors,
        "p50_ms": percentile(latencies, 0.50) * 1000,
        "p99_ms": percentile(latencies, 0.99) * 1000,
    }


def run_load(
    url: str, key: str, concurrency: int, duration: float, rate: float | None
) -> dict[str, Any]:
    argv = [
        sys.executable,
        str(HERE / "ingest.py"),
        "--load",
        url,
        key,
        str(concurrency),
        str(duration),
        "" if rate is None else str(rate),
    ]
    out = subprocess.run(argv, capture_output=True, text=True, check=True, cwd=HERE).stdout
    return json.loads(out.strip().splitlines()[-1])


# ------------------------------------------------------------------ the raw baseline


async def raw_baseline(schema: str, concurrency: int, duration: float) -> float:
    """The same rows (100 per statement, one transaction each) straight into an events-shaped
    table with asyncpg: what Postgres takes on this box without HTTP, auth or validation."""
    from cognive_runtime.db import create_pool

    pool = await create_pool(PG_DSN, schema, min_size=concurrency, max_size=concurrency)
    await pool.execute(
        "CREATE TABLE raw_events (global_position bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,"
        " stream_id text, stream_version int, event_id uuid UNIQUE, type text, data jsonb,"
        " metadata jsonb, recorded_at timestamptz DEFAULT now())"
    )
    inserted = 0
    deadline = time.perf_counter() + duration

    async def worker(w: int) -> None:
        nonlocal inserted
        n = 0
        while time.perf_counter() < deadline:
            events = json.loads(batch_body(w, n))["events"]
            n += 1
            async with pool.acquire() as conn, conn.transaction():
                await conn.execute(
                    "INSERT INTO raw_events"
                    " (stream_id, stream_version, event_id, type, data, metadata)"
                    " SELECT s, v, e, 'ingest.llm_call.recorded.v1', d::jsonb, '{}'"
                    " FROM unnest($1::text[], $2::int[], $3::uuid[], $4::text[]) AS u(s, v, e, d)",
                    ["run-" + e["run_id"] for e in events],
                    list(range(1, BATCH + 1)),
                    [uuid.UUID(e["event_id"]) for e in events],
                    [json.dumps(e) for e in events],
                )
            inserted += BATCH

    started = time.perf_counter()
    await asyncio.gather(*(worker(w) for w in range(concurrency)))
    rate = inserted / (time.perf_counter() - started)
    await pool.close()
    return rate


# ------------------------------------------------------------------ orchestration


async def prepare(schema: str) -> str:
    """Ingest's schema migrated and one key with events:write in its key projection."""
    from cognive_contracts.events.registry import ApiKeyIssuedV1
    from cognive_ingest.bootstrap import migrations
    from cognive_ingest.domain.agents import AGENT_SYNCED, AgentSynced, agent_stream
    from cognive_runtime.auth import generate_api_key
    from cognive_runtime.auth.key_projection import apply_issued
    from cognive_runtime.db import apply_migrations
    from cognive_runtime.db.pool import connect
    from cognive_runtime.eventlog import NewEvent, append_to_stream

    conn = await asyncpg.connect(PG_DSN)
    try:
        await apply_migrations(conn, schema, migrations())
    finally:
        await conn.close()
    key = generate_api_key("bench")
    conn = await connect(PG_DSN, schema)
    try:
        async with conn.transaction():
            # The load's agents are known, as in production: every call is judged at once.
            for n in range(8):
                synced = AgentSynced(
                    agent_id=f"agent-{n}",
                    team_id="team-bench",
                    allowed_models=["gpt-4o*"],
                    approved_tools=[],
                    source_type="registry.agent.registered.v1",
                    source_event_id=str(uuid.uuid4()),
                    changed_at=datetime.now(UTC),
                )
                await append_to_stream(
                    conn,
                    agent_stream(synced.agent_id),
                    [NewEvent(AGENT_SYNCED, synced.model_dump(mode="json"))],
                )
            await apply_issued(
                conn,
                [
                    ApiKeyIssuedV1(
                        key_id=key.key_id,
                        name="bench",
                        prefix=key.prefix,
                        secret_sha256=key.secret_sha256_hex,
                        team_id="team-bench",
                        scopes=["events:write", "read"],
                        issued_at=datetime.now(UTC) - timedelta(minutes=1),
                    )
                ],
            )
    finally:
        await conn.close()
    return key.plaintext


SETUPS = (
    ("one process: API + loops", True, False),
    ("API process + loops process", False, True),
    ("API process alone (loops stopped)", False, False),
)


async def measure(
    setup: tuple[str, bool, bool],
    base_env: dict[str, str],
    key: str,
    concurrency: int,
    duration: float,
    tag: str,
) -> dict[str, Any]:
    from cognive_runtime.testing import ServiceProcess

    label, loops_in_api, loops_apart = setup
    processes = []
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    env = {
        **base_env,
        "COGNIVE_INGEST_HTTP_PORT": str(port),
        "COGNIVE_INGEST_LOOPS_ENABLED": str(loops_in_api).lower(),
    }
    logs = Path(tempfile.gettempdir())
    if loops_apart:
        loops_port = free_port()
        loops_env = {
            **base_env,
            "COGNIVE_INGEST_HTTP_PORT": str(loops_port),
            "COGNIVE_INGEST_LOOPS_ENABLED": "true",
            "COGNIVE_INGEST_HTTP_WORKERS": "1",
        }
        processes.append(
            ServiceProcess(
                ["cognive_ingest"],
                env=loops_env,
                log_path=logs / f"bench-ingest-{tag}-loops.log",
                ready_url=f"http://127.0.0.1:{loops_port}/health/ready",
            )
        )
    processes.append(
        ServiceProcess(
            ["cognive_ingest"],
            env=env,
            log_path=logs / f"bench-ingest-{tag}-api.log",
            ready_url=f"{url}/health/ready",
        )
    )
    try:
        for process in processes:
            await process.start(timeout=60)
        run_load(url, key, 2, 3, None)  # warm-up: connections, key cache, pools
        saturated = run_load(url, key, concurrency, duration, None)
        half = run_load(url, key, concurrency, duration, saturated["events_per_s"] / 2 / BATCH)
    finally:
        for process in reversed(processes):
            await process.stop()
    print(label, json.dumps({"saturated": saturated, "half": half}), file=sys.stderr)
    return {"label": label, "saturated": saturated, "half": half}


async def main(concurrency: int, duration: float, workers: int) -> None:
    tag = secrets.token_hex(3)
    schema, prefix = f"bench_ingest_{tag}", f"bench{tag}."
    key = await prepare(schema)
    env = {
        "COGNIVE_INGEST_DB_SCHEMA": schema,
        "COGNIVE_INGEST_POSTGRES_DSN": PG_DSN,
        "COGNIVE_INGEST_RABBITMQ_URL": AMQP_URL,
        "COGNIVE_INGEST_REDIS_URL": REDIS_URL,
        "COGNIVE_INGEST_AMQP_PREFIX": prefix,
        "COGNIVE_INGEST_REDIS_PREFIX": f"bench{tag}:",
        "COGNIVE_INGEST_RATE_LIMIT_PER_KEY_PER_S": "100000",
        "COGNIVE_INGEST_LOG_LEVEL": "WARNING",
        "COGNIVE_INGEST_DB_POOL_MAX": "10",
        "COGNIVE_INGEST_HTTP_WORKERS": str(workers),
    }
    load_before = os.getloadavg()[0]
    try:
        results = [await measure(setup, env, key, concurrency, duration, tag) for setup in SETUPS]
        baseline = await raw_baseline(schema, concurrency, duration)
    finally:
        await cleanup(schema, prefix)
    rows: list[Row] = []
    for result in results:
        sat, half, label = result["saturated"], result["half"], result["label"]
        rows += [
            Row(
                f"{label}: accepted events/s at saturation",
                "ev/s",
                sat["events_per_s"],
                "asyncpg insert of the same rows",
                baseline,
                "≥ 10,000 ev/s",
            ),
            Row(f"{label}: p50 / batch at saturation", "ms", sat["p50_ms"], "", None),
            Row(f"{label}: p99 / batch at saturation", "ms", sat["p99_ms"], "", None),
            Row(
                f"{label}: p50 / batch at half ({half['events_per_s']:,.0f} ev/s)",
                "ms",
                half["p50_ms"],
                "",
                None,
            ),
            Row(
                f"{label}: p99 / batch at half ({half['events_per_s']:,.0f} ev/s)",
                "ms",
                half["p99_ms"],
                "",
                None,
                "< 50 ms",
            ),
        ]
    errors = sum(r["saturated"]["errors"] + r["half"]["errors"] for r in results)
    render("cognive ingest", rows)
    write_section(
        "Ingest (bench/ingest.py)",
        f"`POST /v1/events` on ingest started as real processes ({workers} HTTP worker(s)), "
        f"loaded from a separate process by {concurrency} concurrent httpx clients (connected "
        f"before the clock starts) posting batches of {BATCH} LLM-call events (~600 B each), "
        f"{duration:.0f} s per phase; latency per batch measured at the client, from each "
        "batch's scheduled time at half rate (open loop, no coordinated omission). "
        '"Accepted" = committed in ingest\'s log. The loops (relay to RabbitMQ, runs and '
        "violations projections, policy checker) follow every accepted event; three setups "
        "show what they cost on this 2-core box: in the API process (the default), in a "
        "second process, and stopped (the API's own ceiling; the loops catch up afterwards). "
        f"The baseline inserts the same rows with asyncpg, {BATCH} per statement, "
        f"{concurrency} connections, no HTTP. Errors (non-202) across all phases: {errors}. "
        f"Load average at start / end: {load_before:.1f} / {os.getloadavg()[0]:.1f} (other "
        "processes sharing the machine make every figure here noisy).",
        rows,
    )


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "--load":
        _, _, url, key, conc, dur, rate = sys.argv
        result = asyncio.run(load(url, key, int(conc), float(dur), float(rate) if rate else None))
        print(json.dumps(result))
        sys.exit(0)
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--duration", type=float, default=15.0, help="seconds per phase")
    parser.add_argument("--workers", type=int, default=2, help="ingest HTTP worker processes")
    args = parser.parse_args()
    os.environ.setdefault("PYTHONUNBUFFERED", "1")
    asyncio.run(main(args.concurrency, args.duration, args.workers))
