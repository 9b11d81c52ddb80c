"""The whole system, each service its own process, talking only through RabbitMQ:
SDK → ingest → cost → budget → notification.

One scenario, asserted from the services' own APIs and from the outside world (a webhook
receiver, an SMTP sink): costs equal genai-prices' calculation; each threshold alert
arrives once, signed, by webhook and by e-mail; the pre-flight check refuses once the
hard budget is spent; one trace id runs from the SDK to the alert; a revoked key stops
ingest; `cognive-admin projections rebuild --verify` leaves every read model identical."""

from __future__ import annotations

import asyncio
import json
from collections import Counter
from collections.abc import AsyncIterator
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any

import httpx
import pytest
import pytest_asyncio
from genai_prices import Usage, calc_price
from opentelemetry import trace
from opentelemetry.sdk.trace import TracerProvider
from standardwebhooks import Webhook

import cognive
from cognive_contracts.topology import TopologyManifest
from cognive_runtime.testing import wait_until
from cognive_runtime.testing.stack import Stack
from services.notification.tests.peers import receiver, smtp_sink

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

INPUT, OUTPUT = 4_000, 1_000
LIMIT = 100_000  # $0.10: five calls of gpt-4o at this usage


def expected_call_micros() -> int:
    price = calc_price(
        Usage(input_tokens=INPUT, output_tokens=OUTPUT), "gpt-4o", provider_id="openai"
    ).total_price
    return int((price * 1_000_000).quantize(Decimal(1), ROUND_HALF_UP))


@pytest_asyncio.fixture
async def stack(
    test_run_id: str,
    amqp_prefix: str,
    redis_prefix: str,
    topology: TopologyManifest,
    process_log_dir: Path,
    schemas: object,
) -> AsyncIterator[tuple[Stack, Any, Any]]:
    with smtp_sink() as (smtp_port, sink):
        async with receiver() as hook:
            system = Stack(
                schema_prefix=f"{test_run_id}_e2e",
                amqp_prefix=amqp_prefix,
                redis_prefix=redis_prefix,
                log_dir=process_log_dir,
                extra={
                    "notification": {"SMTP_PORT": str(smtp_port), "RETRY_SCHEDULE_S": "[0.5]"},
                    "budget": {"POLICY_REFRESH_S": "0.2"},
                },
            )
            try:
                await system.start()
                yield system, hook, sink
            finally:
                await system.stop()


async def _json(response: httpx.Response, status: int = 200) -> Any:
    assert response.status_code == status, response.text
    return response.json()


async def test_sdk_to_alert(stack: tuple[Stack, Any, Any]) -> None:
    system, hook, sink = stack
    if not isinstance(trace.get_tracer_provider(), TracerProvider):
        trace.set_tracer_provider(TracerProvider())
    async with httpx.AsyncClient(timeout=15) as http:
        login = await _json(
            await http.post(
                system.url("registry") + "/v1/auth/dev-login", json={"email": system.admin_email}
            )
        )
        admin = {"Authorization": f"Bearer {login['access_token']}"}
        await _json(
            await http.post(
                system.url("registry") + "/v1/teams",
                json={"team_id": "cx", "name": "CX"},
                headers=admin,
            ),
            201,
        )
        issued = await _json(
            await http.post(
                system.url("registry") + "/v1/api-keys",
                json={
                    "team_id": "cx",
                    "name": "fleet",
                    "scopes": ["events:write", "agents:register", "budget:check", "read"],
                },
                headers=admin,
            ),
            201,
        )
        key = issued["api_key"]
        policy = await _json(
            await http.post(
                system.url("budget") + "/v1/budgets",
                json={
                    "name": "cx daily",
                    "scope_kind": "team",
                    "scope_id": "cx",
                    "period": "day",
                    "limit_micros": LIMIT,
                    "mode": "hard",
                    "thresholds": [50, 80, 100],
                },
                headers=admin,
            ),
            201,
        )
        channels = []
        for body in (
            {"kind": "webhook", "url": hook.url},
            {"kind": "email", "recipients": ["lead@example.com"]},
        ):
            channels.append(
                await _json(
                    await http.post(
                        system.url("notification") + "/v1/channels",
                        json={"team_id": "cx", "name": body["kind"], **body},
                        headers=admin,
                    ),
                    201,
                )
            )
            await _json(
                await http.post(
                    system.url("notification") + "/v1/subscriptions",
                    json={
                        "channel_id": channels[-1]["channel_id"],
                        "event_types": ["budget.threshold.crossed.v1", "budget.exceeded.v1"],
                    },
                    headers=admin,
                ),
                201,
            )
        secret = channels[0]["signing_secret"]

        async def key_known_everywhere() -> bool:
            bearer = {"Authorization": f"Bearer {key}"}
            runs = await http.get(system.url("ingest") + "/v1/runs", headers=bearer)
            blocked = await http.get(system.url("budget") + "/v1/blocked-calls", headers=bearer)
            return runs.status_code == 200 and blocked.status_code == 200

        await wait_until(key_known_everywhere, timeout=30, message="the key reached every service")

    client = cognive.Client(
        api_key=key,
        registry_url=system.url("registry"),
        ingest_url=system.url("ingest"),
        budget_url=system.url("budget"),
        budget_fail_open=False,
        flush_interval_s=0.1,
    )
    agent = await asyncio.to_thread(
        client.register_agent, "support-bot", team="cx", allowed_models=["gpt-4o*"]
    )
    per_call = expected_call_micros()
    allowed = 0
    blocked: cognive.BudgetExceeded | None = None

    def fleet() -> str | None:
        nonlocal allowed, blocked
        with agent.run(metadata={"case": "e2e"}) as run:
            for _ in range(8):
                try:
                    run.check_budget("gpt-4o", estimated_cost_micros=per_call)
                except cognive.BudgetExceeded as exc:
                    blocked = exc
                    break
                run.log_llm_call(
                    model="gpt-4o",
                    provider="openai",
                    input_tokens=INPUT,
                    output_tokens=OUTPUT,
                    latency_ms=900,
                )
                allowed += 1
            return run._spans.traceparent if run._spans else None

    run_traceparent = await asyncio.to_thread(fleet)
    assert await asyncio.to_thread(client.flush, 10)
    assert run_traceparent is not None
    assert allowed == LIMIT // per_call == 5
    assert blocked is not None and blocked.policy["policy_id"] == policy["policy_id"]

    async with httpx.AsyncClient(timeout=15) as http:
        # Budget's ledger equals the independent sum of what was spent.
        async def spent_settled() -> bool:
            status = (
                await http.get(
                    system.url("budget") + f"/v1/budgets/{policy['policy_id']}", headers=admin
                )
            ).json()["status"]
            return status["spent_micros"] == allowed * per_call and status["reserved_micros"] == 0

        await wait_until(spent_settled, timeout=60, message="budget settled every call")

        # Cost's rollups are their own follower of cost's log: budget may have counted
        # a call before the rollup did, so wait for the summary rather than race it.
        summary: dict[str, Any] = {}

        async def cost_settled() -> bool:
            nonlocal summary
            summary = await _json(
                await http.get(
                    system.url("cost") + "/v1/costs/summary",
                    params={"group_by": "team"},
                    headers=admin,
                )
            )
            return bool(summary["calls"] >= allowed)

        await wait_until(cost_settled, timeout=60, message="cost rolled up every call")
        assert summary["calls"] == allowed
        assert summary["total_micros"] == allowed * per_call

        # Each threshold exactly once, by webhook (signed) and by e-mail.
        await wait_until(
            lambda: len(hook.requests) >= 4 and len(sink.messages) >= 4,
            timeout=60,
            message="alerts delivered",
        )
        await asyncio.sleep(1.5)
        kinds = Counter()
        for request in hook.requests:
            event = Webhook(secret).verify(request.body, request.headers)
            kinds[(event["type"], event["data"].get("threshold_percent"))] += 1
            # One trace from the SDK's run span to the alert: ingest, cost and budget kept it.
            assert event["traceparent"].split("-")[1] == run_traceparent.split("-")[1]
        assert kinds == Counter(
            {
                ("cognive.budget.threshold.crossed.v1", 50): 1,
                ("cognive.budget.threshold.crossed.v1", 80): 1,
                ("cognive.budget.threshold.crossed.v1", 100): 1,
                ("cognive.budget.exceeded.v1", None): 1,
            }
        )
        subjects = sorted(message["Subject"] for _, message in sink.messages)
        assert len(subjects) == 4
        assert any("reached 80% ($0.08 of $0.10)" in s for s in subjects), subjects

        # The pre-flight check keeps refusing (429) with the blocking policy.
        refused = await http.post(
            system.url("budget") + "/v1/checks",
            json={"agent_id": agent.agent_id, "model": "gpt-4o", "estimated_cost_micros": 1},
            headers={"Authorization": f"Bearer {key}"},
        )
        assert refused.status_code == 429
        assert json.loads(refused.text)["policy"]["policy_id"] == policy["policy_id"]

        # A revoked key stops working at ingest within seconds.
        await _json(
            await http.post(
                system.url("registry") + f"/v1/api-keys/{issued['key_id']}/revoke",
                json={},
                headers=admin,
            )
        )

        async def ingest_refuses() -> bool:
            response = await http.post(
                system.url("ingest") + "/v1/events",
                json={"events": []},
                headers={"Authorization": f"Bearer {key}"},
            )
            return response.status_code == 401

        await wait_until(ingest_refuses, timeout=20, message="ingest refuses the revoked key")
    client.close(1)

    # Every read model, rebuilt from its service's log with `cognive-admin` while the live
    # one keeps serving, equals the live one (the swap happens only then).
    for service, projection in PROJECTIONS:
        out = await system.admin(service, "projections", "rebuild", projection, "--verify")
        assert "swapped=True, differing rows=0" in out, out


PROJECTIONS = [
    ("registry", "directory"),
    ("registry", "audit"),
    ("ingest", "runs"),
    ("ingest", "violations"),
    ("cost", "catalog"),
    ("cost", "calls"),
    ("cost", "rollups"),
    ("budget", "policies"),
    ("budget", "blocked"),
    ("notification", "channels"),
    ("notification", "subscriptions"),
]
