"""Registry as its own process: starts from its settings, serves, stops cleanly on SIGTERM."""

from __future__ import annotations

import socket
from pathlib import Path

import httpx
import pytest

from cognive_runtime.testing import ServiceProcess

pytestmark = pytest.mark.integration


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


async def test_registry_process_serves_and_stops_on_sigterm(
    test_run_id: str, amqp_prefix: str, redis_prefix: str, process_log_dir: Path, schemas: object
) -> None:
    port = free_port()
    env = {
        "COGNIVE_REGISTRY_DB_SCHEMA": f"{test_run_id}_registry_proc",
        "COGNIVE_REGISTRY_AMQP_PREFIX": amqp_prefix,
        "COGNIVE_REGISTRY_REDIS_PREFIX": redis_prefix,
        "COGNIVE_REGISTRY_HTTP_PORT": str(port),
        "COGNIVE_REGISTRY_BOOTSTRAP_ADMIN_EMAIL": "ops@example.com",
    }
    proc = ServiceProcess(
        ["cognive_registry"],
        env=env,
        log_path=process_log_dir / "registry.log",
        ready_url=f"http://127.0.0.1:{port}/health/ready",
    )
    await proc.start(timeout=60)
    try:
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}", timeout=10) as client:
            login = await client.post("/v1/auth/dev-login", json={"email": "ops@example.com"})
            assert login.status_code == 200, proc.output()[-2000:]
            auth = {"Authorization": f"Bearer {login.json()['access_token']}"}
            team = await client.post(
                "/v1/teams", json={"team_id": "cx", "name": "CX"}, headers=auth
            )
            assert team.status_code == 201
            assert (await client.get("/health/startup")).status_code == 200
            assert "cognive_relay_published_events_total" in (await client.get("/metrics")).text
    finally:
        code = await proc.terminate(timeout=30)
    assert code == 0, proc.output()[-3000:]
    assert '"event": "service.stopped"' in proc.output()
