"""`cognive-admin` driven as on-call would, as a separate process, against a running budget
service: status, events, republish, DLQ inspection/redrive/purge, projection rebuild and
verify, and a policy's state at a past moment."""

from __future__ import annotations

import asyncio
import json
import os
import sys
import uuid
from datetime import UTC, datetime
from typing import Any

import aio_pika
import pytest

from cognive_runtime.consumer.dlq import read_dlq
from cognive_runtime.testing.publishing import cloud_event, publish_events

from ..conftest import Budget, priced

pytestmark = pytest.mark.integration


async def admin(budget: Budget, *args: str, ok: bool = True) -> str:
    s = budget.settings
    env = {
        **os.environ,
        "COGNIVE_BUDGET_DB_SCHEMA": s.schema_name,
        "COGNIVE_BUDGET_AMQP_PREFIX": s.amqp_prefix,
        "COGNIVE_BUDGET_REDIS_PREFIX": s.redis_prefix,
        "COLUMNS": "200",
    }
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "cognive_runtime.admin",
        *args,
        env=env,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
    )
    out, _ = await proc.communicate()
    text = out.decode()
    assert (proc.returncode == 0) == ok, text
    return text


def parse(text: str) -> Any:
    return json.loads(text[text.index(next(c for c in text if c in "[{")) :])


async def test_admin_commands(budget: Budget) -> None:
    admin_token = budget.person([], org_role="admin")
    created = await budget.client.post(
        "/v1/budgets",
        json={
            "name": "cx",
            "scope_kind": "team",
            "scope_id": "cx",
            "period": "month",
            "limit_micros": 10_000_000,
        },
        headers=admin_token,
    )
    policy_id = created.json()["policy_id"]
    before_update = datetime.now(UTC)
    await asyncio.sleep(0.05)
    await budget.client.patch(
        f"/v1/budgets/{policy_id}", json={"limit_micros": 20_000_000}, headers=admin_token
    )

    status = parse(await admin(budget, "status", "budget", "--json"))[0]
    assert status["service"] == "budget" and status["head_position"] >= 3
    assert {p["projection"] for p in status["projections"]} == {"policies", "blocked"}

    shown = parse(
        await admin(budget, "budget", "events", "show", "--stream", f"policy-{policy_id}", "--json")
    )
    assert [e["type"] for e in shown] == [
        "budget.policy.defined.v1",
        "budget.period.rolled.v1",
        "budget.policy.updated.v1",
    ]

    state = parse(
        await admin(
            budget, "budget", "state-at", f"policy-{policy_id}", "--at", before_update.isoformat()
        )
    )
    assert state["state"]["limit_micros"] == 10_000_000
    now_state = parse(
        await admin(
            budget,
            "budget",
            "state-at",
            f"policy-{policy_id}",
            "--at",
            datetime.now(UTC).isoformat(),
        )
    )
    assert now_state["state"]["limit_micros"] == 20_000_000

    dry = await admin(
        budget,
        "budget",
        "events",
        "republish",
        "--from",
        "1",
        "--to",
        "1000",
        "--type",
        "budget.policy.defined.v1",
        ok=False,
    )
    assert "1 event(s)" in dry
    done = await admin(
        budget,
        "budget",
        "events",
        "republish",
        "--from",
        "1",
        "--to",
        "1000",
        "--type",
        "budget.policy.defined.v1",
        "--yes",
    )
    assert "republished 1 event(s)" in done

    # A poison message: listed with its reason, shown, redriven (poison again), purged.
    good = cloud_event(priced(agent_id="bot", team_id="cx", total_micros=5), "c")
    bad = good.model_copy(update={"id": uuid.uuid4(), "data": {**good.data, "total_micros": -1}})
    await publish_events(budget.amqp, budget.topology, [bad])
    dlq = budget.topology.service("budget").dlq.name
    for _ in range(100):
        if await read_dlq(budget.amqp, dlq):
            break
        await asyncio.sleep(0.05)
    listed = parse(await admin(budget, "budget", "dlq", "list", "--json"))
    assert [e["event_id"] for e in listed] == [str(bad.id)]
    assert listed[0]["reason"] and listed[0]["queue"].endswith("budget.spend")
    shown_msg = parse(await admin(budget, "budget", "dlq", "show", "0"))
    assert shown_msg["body"]["id"] == str(bad.id)
    assert "redrove 1" in await admin(budget, "budget", "dlq", "redrive", "--event-id", str(bad.id))
    for _ in range(100):
        if await read_dlq(budget.amqp, dlq):
            break
        await asyncio.sleep(0.05)
    assert "purged 1" in await admin(budget, "budget", "dlq", "purge", "--yes")
    assert await read_dlq(budget.amqp, dlq) == []

    # A body that cannot be decoded is kept with its content-encoding, shown as it is, and
    # redriven with it: it comes back as invalid_encoding, not as some other poison.
    channel = await budget.amqp.channel(publisher_confirms=True)
    exchange = await channel.get_exchange(budget.topology.events_exchange.name, ensure=False)
    await exchange.publish(
        aio_pika.Message(
            b"\x1f\x8b\x08 not really gzip",
            content_type="application/cloudevents-batch+json",
            content_encoding="gzip",
        ),
        routing_key="cost.llm_call.priced.v1",
    )
    await channel.close()
    for _ in range(100):
        if await read_dlq(budget.amqp, dlq):
            break
        await asyncio.sleep(0.05)
    shown_raw = parse(await admin(budget, "budget", "dlq", "show", "0"))
    assert shown_raw["content_encoding"] == "gzip"
    assert shown_raw["headers"]["x-cognive-reason"] == "invalid_encoding"
    assert "redrove 1" in await admin(budget, "budget", "dlq", "redrive")
    # The redrive took it out of the DLQ before it returned; the consumer parks it again.
    for _ in range(100):
        if await read_dlq(budget.amqp, dlq):
            break
        await asyncio.sleep(0.05)
    [again] = await read_dlq(budget.amqp, dlq)
    assert (again.reason, again.content_encoding) == ("invalid_encoding", "gzip")
    assert "purged 1" in await admin(budget, "budget", "dlq", "purge", "--yes")

    rebuilt = await admin(budget, "budget", "projections", "rebuild", "policies", "--verify")
    assert "swapped=True" in rebuilt and "differing rows=0" in rebuilt
    assert "equal" in await admin(budget, "budget", "projections", "verify", "blocked")
    await admin(budget, "budget", "projections", "rebuild", "nope", ok=False)
