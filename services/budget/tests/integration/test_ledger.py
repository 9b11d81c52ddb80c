"""The spend ledger from priced and repriced calls: exactly-once alerts under duplicate
deliveries, concurrency and two replicas; period roll-over; poison to the DLQ."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from cognive_contracts.events.cost import CostBreakdown, LlmCallRepricedV1
from cognive_runtime.consumer.dlq import read_dlq
from cognive_runtime.testing.publishing import cloud_event, publish_events

from ..conftest import Budget, priced

pytestmark = pytest.mark.integration

DOLLAR = 1_000_000


async def team_budget(budget: Budget, limit: int = 10 * DOLLAR, **extra: Any) -> dict[str, Any]:
    admin = budget.person([], org_role="admin")
    body = {
        "name": "cx monthly",
        "scope_kind": "team",
        "scope_id": "cx",
        "period": "month",
        "limit_micros": limit,
        **extra,
    }
    return await budget.create_budget(admin, **body)


async def alerts(budget: Budget) -> list[dict[str, Any]]:
    rows = await budget.pool.fetch(
        "SELECT type, data FROM events WHERE type IN"
        " ('budget.threshold.crossed.v1', 'budget.exceeded.v1') ORDER BY global_position"
    )
    return [{"type": r["type"], **r["data"]} for r in rows]


async def spent(budget: Budget, policy_id: str) -> int:
    return int(
        await budget.pool.fetchval(
            "SELECT coalesce(sum(spent_micros), 0) FROM spend_counters WHERE policy_id = $1",
            policy_id,
        )
    )


async def wait_spent(budget: Budget, policy_id: str, expected: int, timeout: float = 30) -> None:
    deadline = asyncio.get_running_loop().time() + timeout
    while await spent(budget, policy_id) != expected:
        assert asyncio.get_running_loop().time() < deadline, await spent(budget, policy_id)
        await asyncio.sleep(0.05)


async def test_thresholds_once_each_despite_duplicate_deliveries(budget: Budget) -> None:
    policy = await team_budget(budget)
    events = [
        cloud_event(priced(agent_id="bot-1", team_id="cx", total_micros=DOLLAR), f"c{n}")
        for n in range(12)
    ]
    # Every event delivered twice, in a different order the second time.
    await publish_events(budget.amqp, budget.topology, events + events[::-1])
    await wait_spent(budget, policy["policy_id"], 12 * DOLLAR)
    await asyncio.sleep(0.3)
    assert await spent(budget, policy["policy_id"]) == 12 * DOLLAR
    found = await alerts(budget)
    crossed = sorted(a["threshold_percent"] for a in found if "threshold_percent" in a)
    assert crossed == [80, 90, 100]
    exceeded = [a for a in found if a["type"] == "budget.exceeded.v1"]
    assert len(exceeded) == 1 and exceeded[0]["overspend_micros"] == 0
    eighty = next(a for a in found if a.get("threshold_percent") == 80)
    assert eighty["spent_micros"] == 8 * DOLLAR
    assert eighty["period_start"].endswith("-01T00:00:00Z")


async def test_exactly_once_with_two_replicas_and_concurrency(
    make_budget: Callable[..., Awaitable[Budget]],
) -> None:
    first = await make_budget()
    second = await make_budget(settings=first.settings)
    policy = await team_budget(first, limit=100 * DOLLAR)
    events = [
        cloud_event(priced(agent_id=f"bot-{n % 7}", team_id="cx", total_micros=DOLLAR), f"c{n}")
        for n in range(150)
    ]
    await asyncio.gather(
        publish_events(first.amqp, first.topology, events[:75]),
        publish_events(first.amqp, first.topology, events[75:]),
        publish_events(first.amqp, first.topology, events[::3]),
    )
    await wait_spent(first, policy["policy_id"], 150 * DOLLAR)
    found = await alerts(first)
    assert sorted(a.get("threshold_percent", 0) for a in found) == [0, 80, 90, 100]
    assert second.state.pool is not first.state.pool


async def test_repricing_applies_the_delta(budget: Budget) -> None:
    policy = await team_budget(budget)
    call = priced(agent_id="bot-1", team_id="cx", total_micros=7 * DOLLAR)
    await budget.send(call, "c1")
    await wait_spent(budget, policy["policy_id"], 7 * DOLLAR)
    correction = LlmCallRepricedV1(
        call_id=call.call_id,
        run_id=call.run_id,
        agent_id=call.agent_id,
        team_id="cx",
        provider=call.provider,
        model=call.model,
        occurred_at=call.occurred_at,
        previous_total_micros=7 * DOLLAR,
        new_total_micros=9 * DOLLAR,
        delta_micros=2 * DOLLAR,
        breakdown=CostBreakdown(input_micros=9 * DOLLAR),
        price=call.price,
        reason="price_corrected",
    )
    await budget.send(correction, "c1")
    await wait_spent(budget, policy["policy_id"], 9 * DOLLAR)
    assert [a["threshold_percent"] for a in await alerts(budget)] == [80, 90]


async def test_calls_in_another_period_count_there(budget: Budget) -> None:
    policy = await team_budget(budget)
    last_month = datetime.now(UTC).replace(day=1) - timedelta(days=3)
    await budget.send(
        priced(agent_id="bot-1", team_id="cx", total_micros=DOLLAR, occurred_at=last_month), "c"
    )
    await budget.send(priced(agent_id="bot-1", team_id="cx", total_micros=2 * DOLLAR), "d")
    await wait_spent(budget, policy["policy_id"], 3 * DOLLAR)
    admin = budget.person([], org_role="admin")
    status = (await budget.client.get(f"/v1/budgets/{policy['policy_id']}", headers=admin)).json()
    assert status["status"]["spent_micros"] == 2 * DOLLAR


async def test_period_rolls_over_at_the_calendar_boundary(budget: Budget) -> None:
    """A policy created mid-day starts in that day; at the next midnight (in its time
    zone) the roller appends budget.period.rolled.v1 with the previous period's spend."""
    policy = await team_budget(budget, period="day", timezone="Asia/Tokyo")
    await budget.send(priced(agent_id="bot-1", team_id="cx", total_micros=DOLLAR), "c")
    await wait_spent(budget, policy["policy_id"], DOLLAR)
    rolls = await budget.pool.fetch(
        "SELECT data FROM events WHERE type = 'budget.period.rolled.v1' ORDER BY global_position"
    )
    first = rolls[0]["data"]
    start = datetime.fromisoformat(first["period_start"])
    assert start.astimezone(ZoneInfo("Asia/Tokyo")).hour == 0
    assert first["previous_period_start"] is None

    now = datetime.now(UTC)
    end = datetime.fromisoformat(first["period_end"])
    budget.clock.offset = end - now + timedelta(seconds=1)
    for _ in range(200):
        rolls = await budget.pool.fetch(
            "SELECT data FROM events WHERE type = 'budget.period.rolled.v1'"
            " ORDER BY global_position"
        )
        if len(rolls) == 2:
            break
        await asyncio.sleep(0.05)
    second = rolls[1]["data"]
    assert datetime.fromisoformat(second["period_start"]) == end
    assert second["previous_spent_micros"] == DOLLAR
    await asyncio.sleep(0.5)
    assert (
        await budget.pool.fetchval(
            "SELECT count(*) FROM events WHERE type = 'budget.period.rolled.v1'"
        )
        == 2
    )
    admin = budget.person([], org_role="admin")
    status = (await budget.client.get(f"/v1/budgets/{policy['policy_id']}", headers=admin)).json()
    assert status["status"]["spent_micros"] == 0
    assert status["status"]["period_start"] == second["period_start"].replace("+00:00", "Z")


async def test_poison_goes_to_the_dlq_and_the_rest_is_applied(budget: Budget) -> None:
    policy = await team_budget(budget)
    good = cloud_event(priced(agent_id="bot-1", team_id="cx", total_micros=DOLLAR), "ok")
    bad = good.model_copy(update={"id": uuid.uuid4(), "data": {**good.data, "total_micros": -5}})
    await publish_events(budget.amqp, budget.topology, [bad, good])
    await wait_spent(budget, policy["policy_id"], DOLLAR)
    dlq = budget.topology.service("budget").dlq.name
    for _ in range(100):
        messages = await read_dlq(budget.amqp, dlq)
        if messages:
            break
        await asyncio.sleep(0.05)
    assert [m.event_id for m in messages] == [str(bad.id)]
    assert messages[0].reason
