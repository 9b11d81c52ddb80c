"""Cost benchmark: priced calls/s through the consumer, and trend queries without cache.

One command (`python bench/cost.py`). Cost runs as a real subprocess (catalog seeded from
genai-prices, its loops running). 1) N `ingest.llm_call.recorded.v1` events are published
to its queue as ingest's relay would (batches of 100 per message) and the clock runs until
all N are priced in its log; beside it in the same run, the rate at which the same
messages can merely be published (the broker's floor). 2) 30 days of hourly rollups for
1,000 agents (10 teams, 3 models: 2.16 M rows) are loaded straight into the rollup
tables, and `GET /v1/costs/trends` and `/v1/costs/summary` are timed with the cache off.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import secrets
import statistics
import tempfile
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

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
MODELS = [
    ("openai", "gpt-4o"),
    ("anthropic", "claude-3-5-sonnet-latest"),
    ("google", "gemini-1.5-pro"),
]


def recorded(n: int) -> Any:
    from cognive_contracts.events.base import TokenUsage
    from cognive_contracts.events.ingest import LlmCallRecordedV1

    provider, model = MODELS[n % len(MODELS)]
    return LlmCallRecordedV1(
        run_id=f"run-{n // 10}",
        agent_id=f"agent-{n % 1000}",
        team_id=f"team-{n % 10}",
        occurred_at=datetime.now(UTC),
        call_id=uuid.uuid4().hex,
        provider=provider,
        model=model,
        usage=TokenUsage(input_tokens=1_200 + n % 500, output_tokens=300, cached_input_tokens=200),
        latency_ms=800,
        status="ok",
    )


async def publish_batches(amqp: Any, exchange_name: str, count: int) -> float:
    import aio_pika

    from cognive_contracts.envelope import CONTENT_TYPE_BATCH, encode_batch
    from cognive_runtime.testing.publishing import cloud_event

    bodies = []
    for start in range(0, count, 100):
        events = [cloud_event(recorded(n), "run") for n in range(start, min(count, start + 100))]
        bodies.append(encode_batch(events))
    channel = await amqp.channel(publisher_confirms=True)
    exchange = await channel.get_exchange(exchange_name, ensure=False)
    started = time.perf_counter()
    await asyncio.gather(
        *(
            exchange.publish(
                aio_pika.Message(
                    body,
                    content_type=CONTENT_TYPE_BATCH,
                    type="ingest.llm_call.recorded.v1",
                    delivery_mode=aio_pika.DeliveryMode.PERSISTENT,
                ),
                routing_key="ingest.llm_call.recorded.v1",
            )
            for body in bodies
        )
    )
    elapsed = time.perf_counter() - started
    await channel.close()
    return count / elapsed


async def priced_rate(schema: str, prefix: str, port: int, count: int) -> tuple[float, float]:
    from cognive_runtime.amqp import connect_amqp
    from cognive_runtime.db.pool import connect

    amqp = await connect_amqp(AMQP_URL)
    conn = await connect(PG_DSN, schema)
    try:
        started = time.perf_counter()
        publish_rate = await publish_batches(amqp, f"{prefix}cognive.events", count)
        while True:
            done = await conn.fetchval(
                "SELECT count(*) FROM events WHERE type IN"
                " ('cost.llm_call.priced.v1', 'cost.llm_call.unpriced.v1')"
            )
            if done >= count:
                break
            await asyncio.sleep(0.05)
        return count / (time.perf_counter() - started), publish_rate
    finally:
        await conn.close()
        await amqp.close()


async def load_rollups(schema: str) -> int:
    from cognive_runtime.db.pool import connect

    conn = await connect(PG_DSN, schema)
    try:
        await conn.execute(
            """INSERT INTO cost_hourly (bucket, agent_id, team_id, provider, model,
                total_micros, calls, input_tokens, output_tokens)
            SELECT date_trunc('hour', now()) - make_interval(hours => h),
                'agent-' || a, 'team-' || (a % 10), m.provider, m.model,
                (a * 7 + h * 13) % 50000, 1 + (a + h) % 5, 1000, 200
            FROM generate_series(0, 30 * 24 - 1) AS h, generate_series(0, 999) AS a,
                (VALUES ('openai', 'gpt-4o'), ('anthropic', 'claude-3-5-sonnet'),
                        ('google', 'gemini-1.5-pro')) AS m(provider, model)
            ON CONFLICT DO NOTHING"""
        )
        await conn.execute(
            """INSERT INTO cost_daily SELECT date_trunc('day', bucket), agent_id, team_id,
                provider, model, sum(total_micros), sum(calls), sum(input_tokens),
                sum(output_tokens) FROM cost_hourly GROUP BY 1, 2, 3, 4, 5
            ON CONFLICT DO NOTHING"""
        )
        await conn.execute(
            """INSERT INTO cost_hourly_tm SELECT bucket, team_id, provider, model,
                sum(total_micros), sum(calls), sum(input_tokens), sum(output_tokens)
            FROM cost_hourly GROUP BY 1, 2, 3, 4 ON CONFLICT DO NOTHING"""
        )
        # Steady state: a table loaded in one go would otherwise be vacuumed by autovacuum
        # in the middle of the measurement.
        for table in ("cost_hourly", "cost_daily", "cost_hourly_tm"):
            await conn.execute(f"VACUUM (ANALYZE) {table}")
        return int(await conn.fetchval("SELECT count(*) FROM cost_hourly"))
    finally:
        await conn.close()


async def time_queries(url: str, token: str, repeats: int) -> dict[str, tuple[float, float]]:
    now = datetime.now(UTC)
    frm = (now - timedelta(days=30)).isoformat()
    queries = {
        "trends by team, hourly, 30 days": (
            "/v1/costs/trends",
            {"group_by": "team", "bucket": "hour"},
        ),
        "trends by model, hourly, 30 days": (
            "/v1/costs/trends",
            {"group_by": "model", "bucket": "hour"},
        ),
        "trends by agent, daily, 30 days, one team": (
            "/v1/costs/trends",
            {"group_by": "agent", "bucket": "day", "team_id": "team-3"},
        ),
        "summary by agent, 30 days": ("/v1/costs/summary", {"group_by": "agent"}),
    }
    out: dict[str, tuple[float, float]] = {}
    async with httpx.AsyncClient(
        base_url=url, headers={"Authorization": f"Bearer {token}"}, timeout=60
    ) as client:
        for name, (path, params) in queries.items():
            # Warm-up: the first run of a query plans it and reads its pages from disk.
            for _ in range(3):
                await client.get(path, params={**params, "from": frm, "to": now.isoformat()})
            timings = []
            for _ in range(repeats):
                started = time.perf_counter()
                response = await client.get(
                    path, params={**params, "from": frm, "to": now.isoformat()}
                )
                timings.append((time.perf_counter() - started) * 1000)
                response.raise_for_status()
                assert response.headers["X-Cache"] == "off"
            out[name] = (statistics.median(timings), percentile(timings, 0.99))
    return out


async def main(count: int, repeats: int) -> None:
    from cognive_cost.settings import CostSettings
    from cognive_runtime.auth import issue_dev_token
    from cognive_runtime.db.pool import connect
    from cognive_runtime.testing import ServiceProcess, wait_until

    tag = secrets.token_hex(3)
    schema, prefix, redis_prefix = f"bench_cost_{tag}", f"bench{tag}.", f"bench{tag}:"
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    process = ServiceProcess(
        ["cognive_cost"],
        env={
            "COGNIVE_COST_DB_SCHEMA": schema,
            "COGNIVE_COST_POSTGRES_DSN": PG_DSN,
            "COGNIVE_COST_RABBITMQ_URL": AMQP_URL,
            "COGNIVE_COST_REDIS_URL": REDIS_URL,
            "COGNIVE_COST_AMQP_PREFIX": prefix,
            "COGNIVE_COST_REDIS_PREFIX": redis_prefix,
            "COGNIVE_COST_HTTP_PORT": str(port),
            "COGNIVE_COST_LOG_LEVEL": "WARNING",
            "COGNIVE_COST_CACHE_ENABLED": "false",
        },
        log_path=Path(tempfile.gettempdir()) / f"bench-cost-{tag}.log",
        ready_url=f"{url}/health/ready",
    )
    load_before = os.getloadavg()[0]
    try:
        await process.start(timeout=90)
        conn = await connect(PG_DSN, schema)

        async def seeded() -> bool:
            return bool(await conn.fetchval("SELECT count(*) > 2000 FROM prices"))

        await wait_until(seeded, timeout=60, message="catalog seeded")
        await conn.close()
        await priced_rate(schema, prefix, port, 2_000)  # warm-up
        rate, publish_rate = await priced_rate(schema, prefix, port, count)
        rows_loaded = await load_rollups(schema)
        token = issue_dev_token(CostSettings(), "bench", [], org_role="admin")
        timings = await time_queries(url, token, repeats)
    finally:
        await process.stop()
        await cleanup(schema, prefix, redis_prefix)
    rows = [
        Row(
            "recorded → priced (consumer, inbox, catalog, append)",
            "calls/s",
            rate,
            "publishing the same messages (confirmed)",
            publish_rate,
            "",
        )
    ]
    for name, (median, p99) in timings.items():
        rows.append(Row(f"{name}: median", "ms", median, "", None))
        rows.append(Row(f"{name}: p99", "ms", p99, "", None, "< 100 ms"))
    render("cognive cost", rows)
    write_section(
        "Cost (bench/cost.py)",
        f"Cost started as a real process (catalog seeded from genai-prices, loops running). "
        f"{count:,} recorded LLM calls published to its queue in messages of 100 (as ingest's "
        "relay sends them), timed from the first publish until all are priced in cost's log; "
        "the baseline is the confirmed publish of the same messages alone. Then "
        f"{rows_loaded:,} hourly rollup rows (30 days x 1,000 agents x 3 models, 10 teams) "
        f"plus their daily rows, and each query run {repeats} times through the HTTP API "
        "with the Redis cache off. Load average at start / end: "
        f"{load_before:.1f} / {os.getloadavg()[0]:.1f}.",
        rows,
    )


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--calls", type=int, default=20_000)
    parser.add_argument("--repeats", type=int, default=200)
    args = parser.parse_args()
    os.environ.setdefault("PYTHONUNBUFFERED", "1")
    asyncio.run(main(args.calls, args.repeats))
