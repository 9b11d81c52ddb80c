"""The SDK against the real registry and ingest, each its own process, talking to each
other only through RabbitMQ: a key issued in registry reaches ingest as an event."""

from __future__ import annotations

import asyncio
import itertools
import subprocess
import sys
import textwrap
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
import pytest_asyncio

import cognive
from cognive_contracts.topology import TopologyManifest
from cognive_runtime.testing import ServiceProcess, free_port, wait_until

pytestmark = [pytest.mark.integration, pytest.mark.slow]
_STACKS = itertools.count(1)


@dataclass
class Stack:
    registry_url: str
    ingest_url: str
    api_key: str
    ingest: ServiceProcess
    read: dict[str, str]

    async def run_detail(self, run_id: str) -> Any:
        async with httpx.AsyncClient(base_url=self.ingest_url, timeout=10) as client:
            response = await client.get(f"/v1/runs/{run_id}", headers=self.read)
            return response.json() if response.status_code == 200 else None


def service(module: str, prefix: str, env: dict[str, str], log: Path, port: int) -> ServiceProcess:
    upper = module.removeprefix("cognive_").upper()
    full = {f"COGNIVE_{upper}_{k}": v for k, v in env.items()}
    full[f"COGNIVE_{upper}_HTTP_PORT"] = str(port)
    return ServiceProcess(
        [module], env=full, log_path=log, ready_url=f"http://127.0.0.1:{port}/health/ready"
    )


@pytest_asyncio.fixture
async def stack(
    test_run_id: str,
    amqp_prefix: str,
    redis_prefix: str,
    topology: TopologyManifest,
    process_log_dir: Path,
    schemas: object,
) -> AsyncIterator[Stack]:
    common = {"AMQP_PREFIX": amqp_prefix, "REDIS_PREFIX": redis_prefix, "SHUTDOWN_GRACE_S": "5"}
    r_port = free_port()
    i_port = free_port({r_port})
    n = next(_STACKS)
    registry = service(
        "cognive_registry",
        amqp_prefix,
        {
            **common,
            "DB_SCHEMA": f"{test_run_id}_sdk_registry_{n}",
            "BOOTSTRAP_ADMIN_EMAIL": "a@example.com",
        },
        process_log_dir / "registry.log",
        r_port,
    )
    ingest = service(
        "cognive_ingest",
        amqp_prefix,
        {**common, "DB_SCHEMA": f"{test_run_id}_sdk_ingest_{n}"},
        process_log_dir / "ingest.log",
        i_port,
    )
    await registry.start(timeout=60)
    await ingest.start(timeout=60)
    registry_url, ingest_url = f"http://127.0.0.1:{r_port}", f"http://127.0.0.1:{i_port}"
    try:
        async with httpx.AsyncClient(base_url=registry_url, timeout=10) as client:
            token = (
                await client.post("/v1/auth/dev-login", json={"email": "a@example.com"})
            ).json()
            admin = {"Authorization": f"Bearer {token['access_token']}"}
            assert (
                await client.post("/v1/teams", json={"team_id": "cx", "name": "CX"}, headers=admin)
            ).status_code == 201
            issued = await client.post(
                "/v1/api-keys",
                json={
                    "team_id": "cx",
                    "name": "sdk",
                    "scopes": ["events:write", "agents:register", "read"],
                },
                headers=admin,
            )
            key = issued.json()["api_key"]
        read = {"Authorization": f"Bearer {key}"}

        async def ingest_knows_the_key() -> bool:
            async with httpx.AsyncClient(base_url=ingest_url, timeout=5) as client:
                return (await client.get("/v1/runs", headers=read)).status_code == 200

        await wait_until(
            ingest_knows_the_key, timeout=20, message="key issued in registry accepted by ingest"
        )
        yield Stack(registry_url, ingest_url, key, ingest, read)
    finally:
        await ingest.stop()
        await registry.stop()


def sdk(stack: Stack) -> cognive.Client:
    return cognive.Client(
        api_key=stack.api_key,
        registry_url=stack.registry_url,
        ingest_url=stack.ingest_url,
        flush_interval_s=0.1,
        max_backoff_s=1.0,
    )


async def wait_run(stack: Stack, run_id: str, items: int, timeout: float = 30) -> Any:
    found: dict[str, Any] = {}

    async def complete() -> bool:
        detail = await stack.run_detail(run_id)
        if detail and detail.get("status") != "running" and _count(detail) >= items:
            found["detail"] = detail
            return True
        return False

    await wait_until(complete, timeout=timeout, message=f"run {run_id} complete in ingest")
    return found["detail"]


def _count(detail: dict[str, Any]) -> int:
    return sum(len(detail.get(k, [])) for k in ("steps", "llm_calls", "tool_calls"))


async def test_agent_run_arrives_complete_and_in_order(stack: Stack) -> None:
    client = sdk(stack)
    agent = await asyncio.to_thread(
        client.register_agent,
        "support-bot",
        framework="langchain",
        environment="prod",
        allowed_models=["gpt-4o*"],
        approved_tools=["search"],
    )
    again = await asyncio.to_thread(
        client.register_agent,
        "support-bot",
        framework="langchain",
        environment="prod",
        allowed_models=["gpt-4o*"],
        approved_tools=["search"],
    )
    assert again.agent_id == agent.agent_id
    with agent.run(name="ticket-42", metadata={"ticket": 42}) as run:
        for i in range(5):
            run.log_step(f"step-{i}")
            run.log_llm_call(
                model="gpt-4o",
                provider="openai",
                input_tokens=100 + i,
                output_tokens=10,
                cached_input_tokens=50,
                latency_ms=300,
            )
            run.log_tool_call("search", latency_ms=20)
    assert await asyncio.to_thread(client.flush, 15)
    detail = await wait_run(stack, run.run_id, 15)
    assert detail["status"] == "success"
    assert [s["name"] for s in detail["steps"]] == [f"step-{i}" for i in range(5)]
    assert [c["usage"]["input_tokens"] for c in detail["llm_calls"]] == [100, 101, 102, 103, 104]
    assert detail["team_id"] == "cx"
    client.close()


async def test_ingest_down_for_ten_seconds_loses_nothing(stack: Stack) -> None:
    client = sdk(stack)
    agent = await asyncio.to_thread(client.register_agent, "batch-bot", allowed_models=["gpt-4o*"])
    run = agent.run().start()
    await stack.ingest.terminate(timeout=30)
    started = time.monotonic()
    for i in range(50):
        run.log_llm_call(model="gpt-4o", provider="openai", input_tokens=i, output_tokens=1)
        await asyncio.sleep(0.2)  # the agent keeps working while ingest is away (10 s)
    run.end("success")
    assert time.monotonic() - started >= 10
    await stack.ingest.start(timeout=60)
    assert await asyncio.to_thread(client.flush, 30)
    detail = await wait_run(stack, run.run_id, 50)
    assert sorted(c["usage"]["input_tokens"] for c in detail["llm_calls"]) == list(range(50))
    client.close()


async def test_process_exiting_right_after_logging_flushes_everything(stack: Stack) -> None:
    client = sdk(stack)
    agent = await asyncio.to_thread(client.register_agent, "cron-bot")
    client.close()
    script = textwrap.dedent(
        f"""
        import cognive
        from cognive.client import Agent
        client = cognive.Client(api_key={stack.api_key!r}, ingest_url={stack.ingest_url!r},
                                flush_interval_s=10)
        with Agent(client, {agent.agent_id!r}, "cron-bot").run(run_id="exit-run") as run:
            for i in range(30):
                run.log_step(f"s{{i}}")
        """
    )
    await asyncio.to_thread(subprocess.run, [sys.executable, "-c", script], check=True, timeout=60)
    detail = await wait_run(stack, "exit-run", 30)
    assert len(detail["steps"]) == 30
