"""The pre-flight check against real Redis: atomic reservations under concurrency,
settlement by the priced call, expiry, 403s, blocks, and fail-closed rebuild."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from typing import Any

import pytest

from ..conftest import Budget, priced

pytestmark = pytest.mark.integration

DOLLAR = 1_000_000


async def hard_budget(budget: Budget, limit: int, **extra: Any) -> dict[str, Any]:
    admin = budget.person([], org_role="admin")
    body = {
        "name": "cx daily",
        "scope_kind": "team",
        "scope_id": "cx",
        "period": "day",
        "limit_micros": limit,
        "mode": "hard",
        **extra,
    }
    return await budget.create_budget(admin, **body)


async def check(budget: Budget, key: dict[str, str], **body: Any) -> Any:
    return await budget.client.post(
        "/v1/checks", json={"agent_id": "bot-1", "model": "gpt-4o", **body}, headers=key
    )


async def status(budget: Budget, policy_id: str) -> dict[str, Any]:
    admin = budget.person([], org_role="admin")
    response = await budget.client.get(f"/v1/budgets/{policy_id}", headers=admin)
    assert response.status_code == 200, response.text
    return dict(response.json()["status"])


async def test_concurrent_checks_never_overspend(budget: Budget) -> None:
    """$5 hard budget, 1,000 concurrent $0.10 checks: at most 50 allowed."""
    key = await budget.key("cx", ["budget:check", "events:write"])
    policy = await hard_budget(budget, 5 * DOLLAR)
    results = await asyncio.gather(
        *(check(budget, key, estimated_cost_micros=DOLLAR // 10) for _ in range(1_000))
    )
    codes = [r.status_code for r in results]
    assert codes.count(200) == 50, {c: codes.count(c) for c in set(codes)}
    assert codes.count(429) == 950
    blocked = next(r for r in results if r.status_code == 429)
    assert blocked.json()["policy"]["policy_id"] == policy["policy_id"]
    assert int(blocked.headers["Retry-After"]) >= 1
    assert (await status(budget, policy["policy_id"]))["reserved_micros"] == 5 * DOLLAR

    # Half settle with their actual cost; the other half are abandoned and expire.
    reservations = [r.json()["reservation_id"] for r in results if r.status_code == 200]
    for n, reservation in enumerate(reservations[:25]):
        await budget.send(
            priced(
                agent_id="bot-1",
                team_id="cx",
                total_micros=DOLLAR // 20,
                reservation_id=reservation,
            ),
            f"call-{n}",
        )
    await budget.wait_sql(
        "SELECT spent_micros = $1 FROM spend_counters WHERE policy_id = $2",
        25 * DOLLAR // 20,
        policy["policy_id"],
    )

    async def reserved() -> int:
        return int((await status(budget, policy["policy_id"]))["reserved_micros"])

    for _ in range(100):
        if await reserved() == 25 * DOLLAR // 10:
            break
        await asyncio.sleep(0.05)
    assert await reserved() == 25 * DOLLAR // 10
    budget.clock.offset = timedelta(seconds=budget.settings.reservation_ttl_s + 5)
    for _ in range(100):
        if await reserved() == 0:
            break
        await asyncio.sleep(0.05)
    assert await reserved() == 0
    leaked = await budget.state.store.redis.zcard(budget.state.store.expiry_key)
    assert leaked == 0


async def test_settlement_releases_reservation_and_counts_actual(budget: Budget) -> None:
    key = await budget.key("cx", ["budget:check"])
    policy = await hard_budget(budget, 10 * DOLLAR)
    allowed = await check(budget, key, estimated_cost_micros=2 * DOLLAR, run_id="r1")
    assert allowed.status_code == 200, allowed.text
    body = allowed.json()
    assert body["policy_ids"] == [policy["policy_id"]]
    assert (await status(budget, policy["policy_id"]))["reserved_micros"] == 2 * DOLLAR
    await budget.send(
        priced(
            agent_id="bot-1",
            team_id="cx",
            total_micros=3 * DOLLAR,
            reservation_id=body["reservation_id"],
        ),
        "call-1",
    )
    for _ in range(200):
        s = await status(budget, policy["policy_id"])
        if s["spent_micros"] == 3 * DOLLAR and s["reserved_micros"] == 0:
            break
        await asyncio.sleep(0.05)
    assert s["spent_micros"] == 3 * DOLLAR and s["reserved_micros"] == 0
    assert s["remaining_micros"] == 7 * DOLLAR


async def test_spent_budget_blocks_until_period_end_and_logs_block(budget: Budget) -> None:
    key = await budget.key("cx", ["budget:check", "read"])
    policy = await hard_budget(budget, DOLLAR)
    await budget.send(priced(agent_id="bot-1", team_id="cx", total_micros=DOLLAR), "c")
    for _ in range(200):
        response = await check(budget, key, estimated_cost_micros=1)
        if response.status_code == 429:
            break
        await asyncio.sleep(0.05)
    assert response.status_code == 429, response.text
    problem = response.json()
    assert problem["type"].endswith("budget-exceeded")
    assert problem["policy"]["spent_micros"] == DOLLAR
    assert int(response.headers["Retry-After"]) <= 86_400
    await budget.wait_sql("SELECT count(*) FROM blocked_calls")
    listed = await budget.client.get("/v1/blocked-calls", headers=key)
    assert listed.status_code == 200
    (item,) = [i for i in listed.json()["items"] if i["block_id"] == problem["block_id"]]
    assert item["policy_id"] == policy["policy_id"]
    assert item["agent_id"] == "bot-1"


async def test_soft_budget_never_blocks(budget: Budget) -> None:
    key = await budget.key("cx", ["budget:check"])
    await hard_budget(budget, DOLLAR, mode="soft")
    for _ in range(3):
        response = await check(budget, key, estimated_cost_micros=DOLLAR)
        assert response.status_code == 200


async def test_model_not_allowed_and_other_teams_agent(budget: Budget) -> None:
    await budget.agent("bot-1", "cx", ["gpt-4o*"])
    key = await budget.key("cx", ["budget:check"])
    assert (await check(budget, key, model="gpt-4o-mini")).status_code == 200
    refused = await check(budget, key, model="claude-3-opus")
    assert refused.status_code == 403
    assert refused.json()["type"].endswith("model-not-allowed")
    other = await budget.key("search", ["budget:check"])
    assert (await check(budget, other)).status_code == 403
    no_scope = await budget.key("cx", ["events:write"])
    assert (await check(budget, no_scope)).status_code == 403


async def test_unknown_agent_is_held_to_the_keys_team_budget(budget: Budget) -> None:
    key = await budget.key("cx", ["budget:check"])
    await hard_budget(budget, DOLLAR)
    response = await check(budget, key, agent_id="never-seen", estimated_cost_micros=2 * DOLLAR)
    assert response.status_code == 429


async def test_estimate_in_tokens_uses_learned_rate(budget: Budget) -> None:
    key = await budget.key("cx", ["budget:check"])
    # 1,000 tokens for $0.01: $10 per million tokens.
    await budget.send(priced(agent_id="bot-0", total_micros=10_000, tokens=1_000), "c0")
    await budget.wait_sql("SELECT micros_per_mtok FROM model_rates WHERE model = 'gpt-4o'")
    await budget.state.policy_view.refresh()
    response = await check(budget, key, estimated_tokens=100_000)
    assert response.status_code == 200, response.text
    assert response.json()["estimated_micros"] == 1_000_000
    unseen = await check(budget, key, model="o1-pro", estimated_tokens=1_000_000)
    assert unseen.json()["estimated_micros"] == budget.settings.fallback_micros_per_mtok


async def test_redis_loss_fails_closed_then_rebuilds_from_ledger(budget: Budget) -> None:
    key = await budget.key("cx", ["budget:check"])
    policy = await hard_budget(budget, 10 * DOLLAR)
    await budget.send(priced(agent_id="bot-1", team_id="cx", total_micros=4 * DOLLAR), "c1")
    for _ in range(200):
        if (await status(budget, policy["policy_id"]))["spent_micros"] == 4 * DOLLAR:
            break
        await asyncio.sleep(0.05)
    store = budget.state.store
    # What FLUSHALL does to this service (other runs' keys on this Redis are left alone).
    async for k in store.redis.scan_iter(match=f"{store.prefix}*"):
        await store.redis.delete(k)
    saw_rebuilding = False
    for _ in range(200):
        response = await check(budget, key, estimated_cost_micros=5 * DOLLAR)
        if response.status_code == 429:
            assert response.json()["type"].endswith("budget-unavailable")
            assert response.headers["Retry-After"] == "1"
            saw_rebuilding = True
            await asyncio.sleep(0.02)
            continue
        break
    assert response.status_code == 200, response.text
    # The rebuilt counter knows the $4 spent: $5 more fits, $2 after that does not.
    blocked = await check(budget, key, estimated_cost_micros=2 * DOLLAR)
    assert blocked.status_code == 429
    assert blocked.json()["policy"]["spent_micros"] == 4 * DOLLAR
    assert saw_rebuilding or await store.is_ready()


async def test_rebuild_epoch_is_fenced(budget: Budget) -> None:
    store = budget.state.store
    epoch = await store.begin_rebuild()
    await store.redis.delete(store.rebuilding_key)  # a FLUSHALL during the rebuild
    assert await store.finish_rebuild(epoch) is False


async def test_overspend_bound_holds(budget: Budget) -> None:
    """ADR 0010: with every call checked, spend ≤ limit + Σ max(0, actual - estimate) over
    the calls in flight. 200 concurrent checks at $0.10 against $5; each allowed call then
    costs $0.13."""
    key = await budget.key("cx", ["budget:check"])
    policy = await hard_budget(budget, 5 * DOLLAR)
    estimate, actual = DOLLAR // 10, DOLLAR * 13 // 100
    results = await asyncio.gather(
        *(check(budget, key, estimated_cost_micros=estimate) for _ in range(200))
    )
    allowed = [r.json()["reservation_id"] for r in results if r.status_code == 200]
    assert len(allowed) == 50
    for n, reservation in enumerate(allowed):
        await budget.send(
            priced(agent_id="bot-1", team_id="cx", total_micros=actual, reservation_id=reservation),
            f"call-{n}",
        )
    for _ in range(200):
        s = await status(budget, policy["policy_id"])
        if s["spent_micros"] == 50 * actual and s["reserved_micros"] == 0:
            break
        await asyncio.sleep(0.05)
    bound = 5 * DOLLAR + len(allowed) * max(0, actual - estimate)
    assert s["spent_micros"] == 50 * actual <= bound
    # Over the limit now: nothing more is allowed, however small.
    assert (await check(budget, key, estimated_cost_micros=1)).status_code == 429


async def test_redis_loss_mid_load_resumes_with_the_ledgers_totals(budget: Budget) -> None:
    """Checks and settlements keep running while this service's Redis state vanishes:
    checks fail closed during the rebuild, then resume against the ledger's totals."""
    key = await budget.key("cx", ["budget:check"])
    policy = await hard_budget(budget, 1_000 * DOLLAR)
    store = budget.state.store
    codes: list[int] = []
    sent = 0

    async def traffic() -> None:
        nonlocal sent
        for n in range(60):
            response = await check(budget, key, estimated_cost_micros=DOLLAR)
            codes.append(response.status_code)
            if response.status_code == 200:
                await budget.send(
                    priced(
                        agent_id="bot-1",
                        team_id="cx",
                        total_micros=DOLLAR,
                        reservation_id=response.json()["reservation_id"],
                    ),
                    f"call-{n}",
                )
                sent += 1
            await asyncio.sleep(0.01)

    async def loss() -> None:
        await asyncio.sleep(0.25)
        # FLUSHALL is atomic; deleting this service's keys one by one is not, so the
        # readiness marker goes first (as if everything vanished at that instant for the
        # checks), then the rest in one transaction.
        keys = [k async for k in store.redis.scan_iter(match=f"{store.prefix}*")]
        await store.redis.delete(store.ready_key)
        async with store.redis.pipeline(transaction=True) as pipe:
            for k in keys:
                pipe.delete(k)
            await pipe.execute()

    await asyncio.gather(traffic(), loss())
    assert 429 in codes or await store.is_ready()
    for _ in range(300):
        s = await status(budget, policy["policy_id"])
        if s["spent_micros"] == sent * DOLLAR and s["reserved_micros"] == 0:
            break
        await asyncio.sleep(0.05)
    assert s["spent_micros"] == sent * DOLLAR
    assert s["reserved_micros"] == 0
    counter = await store.redis.hget(
        store.counter_key(policy["policy_id"], s["period_start"].replace("Z", "+00:00")), "spent"
    )
    assert int(counter) == sent * DOLLAR


async def test_an_unpriced_call_releases_its_reservation(budget: Budget) -> None:
    from cognive_contracts.events.base import TokenUsage
    from cognive_contracts.events.cost import LlmCallUnpricedV1

    key = await budget.key("cx", ["budget:check"])
    policy = await hard_budget(budget, DOLLAR)
    allowed = await check(budget, key, estimated_cost_micros=DOLLAR // 2)
    assert (await status(budget, policy["policy_id"]))["reserved_micros"] == DOLLAR // 2
    await budget.send(
        LlmCallUnpricedV1(
            call_id="c-unpriced",
            run_id="r",
            agent_id="bot-1",
            team_id="cx",
            provider="self-hosted",
            model="acme-7b",
            occurred_at=priced(agent_id="x", total_micros=0).occurred_at,
            usage=TokenUsage(input_tokens=10),
            reason="unknown_model",
            reservation_id=allowed.json()["reservation_id"],
        ),
        "c-unpriced",
    )
    for _ in range(200):
        s = await status(budget, policy["policy_id"])
        if s["reserved_micros"] == 0:
            break
        await asyncio.sleep(0.05)
    assert s["reserved_micros"] == 0 and s["spent_micros"] == 0


async def test_a_chunk_settles_in_one_call_newest_version_wins(budget: Budget) -> None:
    """The projection settles a whole chunk at once: records of one counter arriving out of
    order leave the newest version's total, and every reservation of the chunk is released
    from its counters and from the expiry index."""
    from cognive_budget.preflight.store import CounterValue

    key = await budget.key("cx", ["budget:check"])
    policy = await hard_budget(budget, 10 * DOLLAR)
    ids = []
    for _ in range(3):
        allowed = await check(budget, key, estimated_cost_micros=DOLLAR)
        assert allowed.status_code == 200, allowed.text
        ids.append(allowed.json()["reservation_id"])
    store = budget.state.store
    pid = policy["policy_id"]
    counter_keys = [k async for k in store.redis.scan_iter(match=f"{store.prefix}c:{pid}:*")]
    assert len(counter_keys) == 1
    period_key = counter_keys[0].decode().removeprefix(f"{store.prefix}c:{pid}:")
    await store.settle(
        [ids[0], ids[1], ids[0]],
        [
            CounterValue(pid, period_key, 2 * DOLLAR, 2, 3600),
            CounterValue(pid, period_key, 3 * DOLLAR, 3, 60),
            CounterValue(pid, period_key, DOLLAR, 1, 7200),
        ],
    )
    counter = await store.redis.hgetall(store.counter_key(pid, period_key))
    assert int(counter[b"spent"]) == 3 * DOLLAR and int(counter[b"ver"]) == 3
    assert int(counter[b"reserved"]) == DOLLAR  # the third reservation is still open
    assert await store.redis.ttl(store.counter_key(pid, period_key)) > 3600
    assert await store.redis.zcard(store.expiry_key) == 1
    # An older version settled later changes nothing.
    await store.settle([], [CounterValue(pid, period_key, DOLLAR, 1, 60)])
    assert int(await store.redis.hget(store.counter_key(pid, period_key), "spent")) == 3 * DOLLAR


async def test_the_projection_settles_each_counters_newest_record_of_a_chunk(
    budget: Budget,
) -> None:
    """Records of one counter in one chunk, in log order and out of it: the projection
    sends the newest version's total (from the records as the handler writes them), with
    the period's TTL, and releases each record's reservation."""
    import uuid
    from datetime import UTC, datetime

    from cognive_budget.domain.spend import SPEND_APPLIED, CounterChange, SpendApplied
    from cognive_budget.projections.redis_counters import RedisCountersProjection
    from cognive_runtime.eventlog import RecordedEvent

    key = await budget.key("cx", ["budget:check"])
    policy = await hard_budget(budget, 10 * DOLLAR)
    reserved = await check(budget, key, estimated_cost_micros=DOLLAR)
    assert reserved.status_code == 200, reserved.text
    store = budget.state.store
    pid = policy["policy_id"]
    counter_keys = [k async for k in store.redis.scan_iter(match=f"{store.prefix}c:{pid}:*")]
    period_key = counter_keys[0].decode().removeprefix(f"{store.prefix}c:{pid}:")
    now = datetime.now(UTC)
    period_end = now + timedelta(days=1)

    def record(position: int, version: int, spent: int, reservation: str | None) -> Any:
        applied = SpendApplied(
            call_id=f"call-{version}",
            source="priced",
            amount_micros=DOLLAR,
            reservation_id=reservation,
            agent_id="bot-1",
            team_id="cx",
            run_id=None,
            model="gpt-4o",
            occurred_at=now,
            counters=[
                CounterChange(
                    policy_id=pid,
                    period_key=period_key,
                    period_start=now - timedelta(hours=1),
                    period_end=period_end,
                    spent_micros=spent,
                    version=version,
                )
            ],
        )
        return RecordedEvent(
            global_position=position,
            tx_id=position,
            stream_id=f"call-{version}",
            stream_version=1,
            event_id=uuid.uuid4(),
            type=SPEND_APPLIED,
            data_json=applied.model_dump_json(),
            metadata_json="{}",
            recorded_at=now,
        )

    chunk = [
        record(1, 1, DOLLAR, None),
        record(2, 3, 3 * DOLLAR, reserved.json()["reservation_id"]),
        record(3, 2, 2 * DOLLAR, None),
    ]
    async with budget.state.pool.acquire() as conn:
        await RedisCountersProjection(store).apply(conn, chunk, {})
    counter = await store.redis.hgetall(store.counter_key(pid, period_key))
    assert int(counter[b"spent"]) == 3 * DOLLAR and int(counter[b"ver"]) == 3
    assert int(counter[b"reserved"]) == 0  # the reservation of record 2 is released
    ttl = await store.redis.ttl(store.counter_key(pid, period_key))
    assert 2 * 86_400 - 120 < ttl <= 2 * 86_400  # the period's end plus a day
