"""kill -9 with deliveries pending: after a restart every one is delivered, none twice."""

from __future__ import annotations

import asyncio
import json
from collections import Counter
from pathlib import Path
from typing import Any

import httpx
import pytest

from cognive_notification.settings import NotificationSettings
from cognive_runtime.auth import RoleBinding, issue_dev_token
from cognive_runtime.db.pool import connect
from cognive_runtime.testing import ServiceProcess, wait_until
from cognive_runtime.testing.publishing import publish

from ..conftest import threshold
from ..peers import free_port, receiver

pytestmark = [pytest.mark.integration, pytest.mark.slow]


async def test_pending_deliveries_survive_kill_9(
    test_run_id: str,
    amqp_prefix: str,
    redis_prefix: str,
    clean_queues: Any,
    amqp_connection: Any,
    schemas: Any,
    process_log_dir: Path,
    pg_dsn: str,
) -> None:
    schema = f"{test_run_id}_notification_kill"

    def process(port: int) -> ServiceProcess:
        env = {
            "COGNIVE_NOTIFICATION_DB_SCHEMA": schema,
            "COGNIVE_NOTIFICATION_AMQP_PREFIX": amqp_prefix,
            "COGNIVE_NOTIFICATION_REDIS_PREFIX": redis_prefix,
            "COGNIVE_NOTIFICATION_HTTP_PORT": str(port),
            "COGNIVE_NOTIFICATION_WEBHOOK_ALLOW_NETWORKS": json.dumps(["127.0.0.1/32"]),
            "COGNIVE_NOTIFICATION_RETRY_SCHEDULE_S": json.dumps([0.2]),
            "COGNIVE_NOTIFICATION_WORKER_IDLE_POLL_S": "0.05",
        }
        return ServiceProcess(
            ["cognive_notification"],
            env=env,
            log_path=process_log_dir / f"notification-{port}.log",
            ready_url=f"http://127.0.0.1:{port}/health/ready",
        )

    token = issue_dev_token(NotificationSettings(), "lead", [RoleBinding("cx", "team_lead")])
    headers = {"Authorization": f"Bearer {token}"}
    async with receiver(default=503) as hook:
        port = free_port()
        first = await process(port).start(timeout=60)
        try:
            async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}") as client:
                channel = (
                    await client.post(
                        "/v1/channels",
                        json={"team_id": "cx", "name": "h", "kind": "webhook", "url": hook.url},
                        headers=headers,
                    )
                ).json()
                created = await client.post(
                    "/v1/subscriptions",
                    json={
                        "channel_id": channel["channel_id"],
                        "event_types": ["budget.threshold.crossed.v1"],
                    },
                    headers=headers,
                )
                assert created.status_code == 201, created.text
            for n in range(5):
                await publish(
                    amqp_connection, clean_queues, threshold(80, policy_id=f"bud_{n}"), "x"
                )
            conn = await connect(pg_dsn, schema)
            try:

                async def all_tried() -> bool:
                    return bool(
                        await conn.fetchval(
                            "SELECT count(*) = 5 FROM deliveries WHERE attempts >= 1"
                        )
                    )

                await wait_until(all_tried, timeout=20, message="5 deliveries tried")
                first_ids = {r.headers["webhook-id"] for r in hook.requests}
                assert len(first_ids) == 5
            finally:
                await conn.close()
        finally:
            await first.kill()
        hook.default = 200
        before = len(hook.requests)
        second = await process(free_port()).start(timeout=60)
        try:
            conn = await connect(pg_dsn, schema)
            try:

                async def all_delivered() -> bool:
                    return bool(
                        await conn.fetchval(
                            "SELECT count(*) = 5 FROM deliveries WHERE status = 'succeeded'"
                        )
                    )

                await wait_until(all_delivered, timeout=30, message="all delivered")
            finally:
                await conn.close()
            await asyncio.sleep(0.5)
        finally:
            await second.stop()
        after = Counter(r.headers["webhook-id"] for r in hook.requests[before:])
        assert set(after) == first_ids
        assert all(count == 1 for count in after.values()), after
