"""The SDK's budget pre-flight against the real registry and budget, each its own process:
the key and the agent reach budget as events through RabbitMQ; a person defines a hard
budget; the SDK's checks reserve, then raise BudgetExceeded and ModelNotAllowed; with
budget gone, fail-open and fail-closed behave as configured."""

from __future__ import annotations

import asyncio
import itertools
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
import pytest_asyncio

import cognive
from cognive_contracts.topology import TopologyManifest
from cognive_runtime.testing import ServiceProcess, wait_until

from .test_with_services import free_port, service

pytestmark = [pytest.mark.integration, pytest.mark.slow]
_STACKS = itertools.count(1)
DOLLAR = 1_000_000


@dataclass
class BudgetStack:
    registry_url: str
    budget_url: str
    api_key: str
    admin: dict[str, str]
    budget: ServiceProcess


@pytest_asyncio.fixture
async def budget_stack(
    test_run_id: str,
    amqp_prefix: str,
    redis_prefix: str,
    topology: TopologyManifest,
    process_log_dir: Path,
    schemas: object,
) -> AsyncIterator[BudgetStack]:
    common = {"AMQP_PREFIX": amqp_prefix, "REDIS_PREFIX": redis_prefix, "SHUTDOWN_GRACE_S": "5"}
    r_port = free_port()
    b_port = free_port({r_port})
    n = next(_STACKS)
    registry = service(
        "cognive_registry",
        amqp_prefix,
        {
            **common,
            "DB_SCHEMA": f"{test_run_id}_sdkb_registry_{n}",
            "BOOTSTRAP_ADMIN_EMAIL": "a@example.com",
        },
        process_log_dir / "registry.log",
        r_port,
    )
    budget = service(
        "cognive_budget",
        amqp_prefix,
        {**common, "DB_SCHEMA": f"{test_run_id}_sdkb_budget_{n}", "POLICY_REFRESH_S": "0.2"},
        process_log_dir / "budget.log",
        b_port,
    )
    await registry.start(timeout=60)
    await budget.start(timeout=60)
    registry_url, budget_url = f"http://127.0.0.1:{r_port}", f"http://127.0.0.1:{b_port}"
    try:
        async with httpx.AsyncClient(base_url=registry_url, timeout=10) as client:
            token = (
                await client.post("/v1/auth/dev-login", json={"email": "a@example.com"})
            ).json()
            admin = {"Authorization": f"Bearer {token['access_token']}"}
            created = await client.post(
                "/v1/teams", json={"team_id": "cx", "name": "CX"}, headers=admin
            )
            assert created.status_code == 201
            issued = await client.post(
                "/v1/api-keys",
                json={
                    "team_id": "cx",
                    "name": "sdk",
                    "scopes": ["agents:register", "budget:check"],
                },
                headers=admin,
            )
            key = issued.json()["api_key"]
        async with httpx.AsyncClient(base_url=budget_url, timeout=10) as client:
            defined = await client.post(
                "/v1/budgets",
                json={
                    "name": "cx daily",
                    "scope_kind": "team",
                    "scope_id": "cx",
                    "period": "day",
                    "limit_micros": DOLLAR,
                    "mode": "hard",
                },
                headers=admin,
            )
            assert defined.status_code == 201, defined.text
        yield BudgetStack(registry_url, budget_url, key, admin, budget)
    finally:
        await budget.stop()
        await registry.stop()


async def test_check_budget_reserves_then_blocks(budget_stack: BudgetStack) -> None:
    client = cognive.Client(
        api_key=budget_stack.api_key,
        registry_url=budget_stack.registry_url,
        budget_url=budget_stack.budget_url,
        ingest_url="http://127.0.0.1:9",
        budget_fail_open=False,
    )
    agent = await asyncio.to_thread(
        client.register_agent, "support-bot", allowed_models=["gpt-4o*"]
    )

    async def budget_knows_key_and_agent() -> bool:
        try:
            await asyncio.to_thread(
                client.check_budget, agent_id=agent.agent_id, model="claude-3-opus"
            )
        except cognive.ModelNotAllowed:
            return True
        except cognive.CogniveError:
            return False
        return False

    await wait_until(
        budget_knows_key_and_agent, timeout=30, message="budget learned the key and the agent"
    )
    reservation = await asyncio.to_thread(
        client.check_budget,
        agent_id=agent.agent_id,
        model="gpt-4o-mini",
        run_id="r1",
        estimated_cost_micros=DOLLAR * 6 // 10,
    )
    assert reservation
    with pytest.raises(cognive.BudgetExceeded) as blocked:
        await asyncio.to_thread(
            client.check_budget,
            agent_id=agent.agent_id,
            model="gpt-4o",
            run_id="r1",
            estimated_cost_micros=DOLLAR // 2,
        )
    assert blocked.value.policy is not None
    assert blocked.value.policy["name"] == "cx daily"
    assert blocked.value.retry_after is not None and blocked.value.retry_after >= 1

    async def block_listed() -> bool:
        async with httpx.AsyncClient(base_url=budget_stack.budget_url, timeout=10) as http:
            listed = await http.get("/v1/blocked-calls", headers=budget_stack.admin)
        return [b["agent_id"] for b in listed.json()["items"]] == [agent.agent_id]

    await wait_until(block_listed, timeout=10, message="the block is listed")

    await budget_stack.budget.stop()
    with pytest.raises(cognive.BudgetUnavailable):
        await asyncio.to_thread(client.check_budget, agent_id=agent.agent_id, model="gpt-4o")
    open_client = cognive.Client(
        api_key=budget_stack.api_key,
        budget_url=budget_stack.budget_url,
        ingest_url="http://127.0.0.1:9",
        budget_fail_open=True,
    )
    assert (
        await asyncio.to_thread(open_client.check_budget, agent_id=agent.agent_id, model="gpt-4o")
        is None
    )
    client.close(0.1)
    open_client.close(0.1)
