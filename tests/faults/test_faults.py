"""Fault injection: a stream of LLM-call events through the five services as processes,
and in the middle one fault. After quiescence the invariants are checked from the
services' own APIs and logs:

- every event accepted with 202 is priced exactly once (by call id);
- budget's ledger equals the independent sum (genai-prices' price x calls);
- each threshold of the soft budget is alerted exactly once (distinct webhook ids);
- the DLQ holds exactly the poison messages (by event id);
- the read models equal a rebuild (`cognive-admin projections verify`).

`COGNIVE_FAULT_EVENTS` sets the stream's size (5,000 by default; 100,000 runs locally).

The Postgres, RabbitMQ and Redis restarts restart the real local servers, which every
schema, queue and key prefix on the machine shares: run this suite alone (CI runs it
last). The commands default to this machine kind's (Debian packages) and can be set with
COGNIVE_FAULT_{POSTGRES,RABBITMQ,REDIS}_RESTART for another setup."""

from __future__ import annotations

import asyncio
import json
import os
import shlex
import shutil
import time
import uuid
from collections import defaultdict
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import UTC, datetime
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any

import asyncpg
import httpx
import pytest
import pytest_asyncio
import redis.asyncio as aioredis
from genai_prices import Usage, calc_price

from cognive_contracts.events.ingest import LlmCallRecordedV1
from cognive_contracts.topology import TopologyManifest
from cognive_runtime.consumer.dlq import read_dlq
from cognive_runtime.db.pool import connect
from cognive_runtime.testing import wait_until
from cognive_runtime.testing.publishing import cloud_event, publish_events
from cognive_runtime.testing.servers import postgres_cluster
from cognive_runtime.testing.stack import Stack
from services.notification.tests.peers import receiver

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

EVENTS = int(os.environ.get("COGNIVE_FAULT_EVENTS", "5000"))
BATCH = 250
INPUT, OUTPUT, CACHED = 1_200, 300, 200
THRESHOLDS = [25, 50, 75, 100]


def per_call_micros() -> int:
    price = calc_price(
        Usage(input_tokens=INPUT, cache_read_tokens=CACHED, output_tokens=OUTPUT),
        "gpt-4o-mini",
        provider_id="openai",
    ).total_price
    return int((price * 1_000_000).quantize(Decimal(1), ROUND_HALF_UP))


class Scenario:
    def __init__(self, stack: Stack, hook: Any, pg_dsn: str, amqp: Any, topology: Any) -> None:
        self.stack = stack
        self.hook = hook
        self.pg_dsn = pg_dsn
        self.amqp = amqp
        self.topology = topology
        self.call_ids: list[str] = []
        self.poison: list[str] = []

    async def setup(self) -> None:
        s = self.stack
        async with httpx.AsyncClient(timeout=20) as http:
            login = await http.post(
                s.url("registry") + "/v1/auth/dev-login", json={"email": s.admin_email}
            )
            self.admin = {"Authorization": f"Bearer {login.json()['access_token']}"}
            await http.post(
                s.url("registry") + "/v1/teams",
                json={"team_id": "cx", "name": "CX"},
                headers=self.admin,
            )
            issued = await http.post(
                s.url("registry") + "/v1/api-keys",
                json={"team_id": "cx", "name": "load", "scopes": ["events:write", "read"]},
                headers=self.admin,
            )
            self.key = {"Authorization": f"Bearer {issued.json()['api_key']}"}
            # A soft budget the stream crosses at 25/50/75/100 %.
            limit = EVENTS * per_call_micros()
            created = await http.post(
                s.url("budget") + "/v1/budgets",
                json={
                    "name": "load",
                    "scope_kind": "team",
                    "scope_id": "cx",
                    "period": "month",
                    "limit_micros": limit,
                    "mode": "soft",
                    "thresholds": THRESHOLDS,
                },
                headers=self.admin,
            )
            assert created.status_code == 201, created.text
            self.policy_id = created.json()["policy_id"]
            channel = await http.post(
                s.url("notification") + "/v1/channels",
                json={"team_id": "cx", "name": "hook", "kind": "webhook", "url": self.hook.url},
                headers=self.admin,
            )
            await http.post(
                s.url("notification") + "/v1/subscriptions",
                json={
                    "channel_id": channel.json()["channel_id"],
                    "event_types": ["budget.threshold.crossed.v1"],
                },
                headers=self.admin,
            )

            async def key_at_ingest() -> bool:
                return (
                    await http.get(s.url("ingest") + "/v1/runs", headers=self.key)
                ).status_code == 200

            await wait_until(key_at_ingest, timeout=30, message="key reached ingest")

    def batch(self, n: int) -> list[dict[str, Any]]:
        events = []
        for i in range(n):
            call_id = f"call-{uuid.uuid4().hex}"
            self.call_ids.append(call_id)
            events.append(
                {
                    "kind": "llm_call",
                    "event_id": str(uuid.uuid4()),
                    "run_id": f"run-{len(self.call_ids) // 50}",
                    "agent_id": "load-agent",
                    "occurred_at": datetime.now(UTC).isoformat(),
                    "call_id": call_id,
                    "provider": "openai",
                    "model": "gpt-4o-mini",
                    "usage": {
                        "input_tokens": INPUT,
                        "output_tokens": OUTPUT,
                        "cached_input_tokens": CACHED,
                    },
                    "latency_ms": 500 + i % 100,
                    "status": "ok",
                }
            )
        return events

    async def post(self, events: list[dict[str, Any]]) -> None:
        """Until accepted: a batch refused by a dying ingest is sent again with the same
        event ids (ingest stores each once)."""
        async with httpx.AsyncClient(timeout=30) as http:
            for _ in range(300):
                try:
                    response = await http.post(
                        self.stack.url("ingest") + "/v1/events",
                        json={"events": events},
                        headers=self.key,
                    )
                    if response.status_code == 202:
                        return
                except httpx.HTTPError:
                    pass
                await asyncio.sleep(0.2)
        raise AssertionError("ingest never accepted the batch")

    async def run(self, fault: Callable[[], Awaitable[None]]) -> None:
        half = EVENTS // 2
        for start in range(0, EVENTS, BATCH):
            if start <= half < start + BATCH:
                await fault()
            await self.post(self.batch(min(BATCH, EVENTS - start)))

    async def quiescent(self) -> None:
        expected = len(self.call_ids) * per_call_micros()

        async def settled() -> bool:
            async with httpx.AsyncClient(timeout=10) as http:
                response = await http.get(
                    self.stack.url("budget") + f"/v1/budgets/{self.policy_id}", headers=self.admin
                )
            return (
                response.status_code == 200
                and response.json()["status"]["spent_micros"] == expected
            )

        await wait_until(settled, timeout=240, interval=0.5, message="budget ledger complete")
        await wait_until(
            lambda: self.distinct_alerts() == len(THRESHOLDS),
            timeout=60,
            message="every threshold alerted",
        )
        await asyncio.sleep(2)

    def distinct_alerts(self) -> int:
        return len({r.headers["webhook-id"] for r in self.hook.requests})

    async def check_invariants(self) -> None:
        conn = await connect(self.pg_dsn, self.stack.schema("cost"))
        try:
            rows = await conn.fetch(
                "SELECT data->>'call_id' AS call_id, count(*) AS n FROM events"
                " WHERE type = 'cost.llm_call.priced.v1' GROUP BY 1"
            )
        finally:
            await conn.close()
        priced = {r["call_id"]: r["n"] for r in rows}
        assert set(priced) == set(self.call_ids), "every accepted call priced"
        assert all(n == 1 for n in priced.values()), "each exactly once"
        # Each threshold alerted once: one webhook id (one delivery) per threshold.
        by_threshold: dict[int, set[str]] = defaultdict(set)
        for request in self.hook.requests:
            body = json.loads(request.body)
            by_threshold[body["data"]["threshold_percent"]].add(request.headers["webhook-id"])
        assert {t: len(ids) for t, ids in by_threshold.items()} == {t: 1 for t in THRESHOLDS}
        # The DLQs hold exactly the poison messages. After a broker restart this test's own
        # connection reconnects on its own schedule (every 5 s), which can be later than the
        # services settle: it is awaited, not assumed.
        await asyncio.wait_for(self.amqp.connected.wait(), timeout=60)
        found = []
        for service in ("cost", "budget", "notification", "ingest", "registry"):
            dlq = self.topology.service(service).dlq.name
            found += [m.event_id for m in await read_dlq(self.amqp, dlq)]
        assert sorted(set(found)) == sorted(self.poison)
        for service, projection in (
            ("cost", "rollups"),
            ("cost", "calls"),
            ("budget", "policies"),
        ):
            await self.verify(service, projection)

    async def verify(self, service: str, projection: str) -> None:
        await self.stack.admin(service, "projections", "verify", projection)


@pytest_asyncio.fixture
async def scenario(
    test_run_id: str,
    amqp_prefix: str,
    redis_prefix: str,
    topology: TopologyManifest,
    clean_queues: TopologyManifest,
    amqp_connection: Any,
    process_log_dir: Path,
    pg_dsn: str,
    schemas: object,
) -> AsyncIterator[Scenario]:
    async with receiver() as hook:
        stack = Stack(
            schema_prefix=f"{test_run_id}_f{uuid.uuid4().hex[:6]}",
            amqp_prefix=amqp_prefix,
            redis_prefix=f"{redis_prefix}{uuid.uuid4().hex[:6]}:",
            log_dir=process_log_dir,
            extra={"notification": {"RETRY_SCHEDULE_S": "[0.5]"}},
        )
        try:
            await stack.start()
            s = Scenario(stack, hook, pg_dsn, amqp_connection, clean_queues)
            await s.setup()
            yield s
        finally:
            await stack.stop()


@pytest.mark.parametrize("service", ["cost", "budget", "notification", "ingest"])
async def test_kill_9(scenario: Scenario, service: str) -> None:
    """A crash at an arbitrary point (ingest's relay dies with ingest)."""

    async def fault() -> None:
        await scenario.stack.restart(service, kill=True)

    await scenario.run(fault)
    await scenario.quiescent()
    await scenario.check_invariants()


async def test_redis_loses_its_state(scenario: Scenario) -> None:
    """What FLUSHALL does to the system under test (its keys; other runs share Redis)."""

    async def fault() -> None:
        client = aioredis.Redis.from_url("redis://127.0.0.1:6379/0")
        async for key in client.scan_iter(match=f"{scenario.stack.redis_prefix}*", count=1000):
            await client.delete(key)
        await client.aclose()

    await scenario.run(fault)
    await scenario.quiescent()
    await scenario.check_invariants()


async def test_duplicate_deliveries_and_a_poison_message(scenario: Scenario) -> None:
    """Every recorded call delivered to cost a second time (republished from ingest's
    log), and one event that can never be applied."""

    async def fault() -> None:
        await scenario.stack.admin(
            "ingest",
            "events",
            "republish",
            "--from",
            "1",
            "--to",
            "1000000000",
            "--type",
            "ingest.llm_call.recorded.v1",
            "--yes",
        )
        good = LlmCallRecordedV1.model_validate(
            {**scenario.batch(1)[0], "team_id": "cx", "occurred_at": datetime.now(UTC)}
        )
        scenario.call_ids.pop()  # never accepted by ingest: not part of the stream
        poison = cloud_event(good, "run")
        poison = poison.model_copy(update={"data": {**poison.data, "latency_ms": -1}})
        scenario.poison.append(str(poison.id))
        await publish_events(scenario.amqp, scenario.topology, [poison])

    await scenario.run(fault)
    await scenario.quiescent()
    await scenario.check_invariants()


RESTARTS = {
    # Fast shutdown: every session is terminated, in-flight transactions roll back.
    "postgres": "pg_ctlcluster --skip-systemctl-redirect {pg_version} {pg_cluster} restart -m fast",
    # The broker application stops (every connection and channel closes, unacknowledged
    # deliveries return to their queues) and starts again from its durable state.
    "rabbitmq": "rabbitmqctl stop_app && rabbitmqctl start_app",
    # Redis here keeps nothing on disk: a restart is a crash that loses every key.
    "redis": (
        "redis-cli -h 127.0.0.1 shutdown nosave; sleep 0.5;"
        " redis-server --daemonize yes --bind 127.0.0.1 -::1 --port 6379 --save ''"
        " --appendonly no --dir /var/lib/redis --logfile /var/log/redis/ci.log"
    ),
}


def restart_command(server: str) -> str:
    configured = os.environ.get(f"COGNIVE_FAULT_{server.upper()}_RESTART")
    if configured:
        return configured
    tool = {"postgres": "pg_ctlcluster", "rabbitmq": "rabbitmqctl", "redis": "redis-server"}
    if shutil.which(tool[server]) is None:
        if os.environ.get("CI"):
            raise AssertionError(f"no {tool[server]} and no COGNIVE_FAULT_{server.upper()}_RESTART")
        pytest.skip(f"no {tool[server]} here: set COGNIVE_FAULT_{server.upper()}_RESTART")
    version, cluster = postgres_cluster() if server == "postgres" else ("", "")
    return RESTARTS[server].format(pg_version=version, pg_cluster=cluster)


async def until_up(server: str, pg_dsn: str, timeout: float = 90) -> None:
    deadline = time.monotonic() + timeout
    while True:
        try:
            if server == "postgres":
                conn = await asyncpg.connect(pg_dsn, timeout=2)
                await conn.close()
            elif server == "redis":
                client = aioredis.Redis.from_url("redis://127.0.0.1:6379/0")
                await client.ping()
                await client.aclose()
            else:
                proc = await asyncio.create_subprocess_exec(
                    "rabbitmqctl", "await_startup", "--timeout", "5",
                    stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.DEVNULL,
                )  # fmt: skip
                if await proc.wait() != 0:
                    raise ConnectionError("rabbitmq not started")
            return
        except (OSError, ConnectionError, asyncpg.PostgresError, aioredis.RedisError):
            if time.monotonic() > deadline:
                raise
            await asyncio.sleep(0.5)


@pytest.mark.parametrize("server", ["postgres", "rabbitmq", "redis"])
async def test_backing_server_restarts(scenario: Scenario, server: str, pg_dsn: str) -> None:
    """Postgres, RabbitMQ or Redis restarts under load: every service loses its
    connections at once and must reconnect, re-take its leader locks and carry on."""
    command = restart_command(server)

    async def fault() -> None:
        proc = await asyncio.create_subprocess_shell(
            command, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT
        )
        out, _ = await proc.communicate()
        assert proc.returncode == 0, f"{shlex.quote(command)}: {out.decode()[-2000:]}"
        await until_up(server, pg_dsn)

    await scenario.run(fault)
    await scenario.quiescent()
    await scenario.check_invariants()
