"""POST /v1/events end to end: auth, limits, partial batches, idempotent retries."""

from __future__ import annotations

import asyncio
import gzip
import json
import uuid
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from cognive_runtime.testing import wait_until

from ..conftest import Ingest
from .events_factory import llm_call, run_ended, run_started, step, tool_call

pytestmark = pytest.mark.integration

PROBLEM = "application/problem+json"


def bearer(key: Any) -> dict[str, str]:
    return {"Authorization": f"Bearer {key if isinstance(key, str) else key.plaintext}"}


async def post(ingest: Ingest, key: Any, body: Any, **headers: str) -> Any:
    content = body if isinstance(body, bytes) else json.dumps(body).encode()
    return await ingest.client.post(
        "/v1/events",
        content=content,
        headers={"Content-Type": "application/json", **bearer(key), **headers},
    )


async def stored(ingest: Ingest, *event_ids: str) -> int:
    return int(
        await ingest.pool.fetchval(
            "SELECT count(*) FROM events WHERE event_id = ANY($1::uuid[])", list(event_ids)
        )
    )


async def test_batch_is_stored_with_server_fields(ingest: Ingest) -> None:
    key = await ingest.issue_key(["events:write"], team_id="team-a")
    events = [
        run_started("r1", "a1"),
        step("r1", "a1", 1),
        llm_call("r1", "a1", 2),
        tool_call("r1", "a1", 3),
        run_ended("r1", "a1", 4),
    ]
    response = await post(ingest, key, {"events": events})
    assert response.status_code == 202, response.text
    assert response.json() == {"accepted": 5, "duplicates": 0, "rejected": []}
    rows = await ingest.pool.fetch(
        "SELECT stream_id, type, data, metadata FROM events WHERE stream_id = 'run-r1'"
        " ORDER BY stream_version"
    )
    assert [r["type"] for r in rows] == [
        "ingest.run.started.v1",
        "ingest.step.recorded.v1",
        "ingest.llm_call.recorded.v1",
        "ingest.tool_call.recorded.v1",
        "ingest.run.ended.v1",
    ]
    for row in rows:
        assert row["data"]["team_id"] == "team-a"
        assert row["data"]["api_key_id"] == key.key_id
        assert row["metadata"]["actor"] == f"api_key:{key.key_id}"
    assert rows[2]["data"]["usage"]["reasoning_tokens"] == 100


async def test_same_batch_twice_is_stored_once(ingest: Ingest) -> None:
    key = await ingest.issue_key(["events:write"])
    events = [llm_call("r-dup", "a1", i) for i in range(10)]
    first = await post(ingest, key, {"events": events})
    second = await post(ingest, key, {"events": events})
    assert first.json() == {"accepted": 10, "duplicates": 0, "rejected": []}
    assert second.status_code == 202
    assert second.json() == {"accepted": 0, "duplicates": 10, "rejected": []}
    assert await stored(ingest, *(e["event_id"] for e in events)) == 10


async def test_concurrent_retries_store_once(ingest: Ingest) -> None:
    key = await ingest.issue_key(["events:write"])
    events = [llm_call(f"r-c{i % 4}", "a1", i) for i in range(40)]
    answers = await asyncio.gather(*(post(ingest, key, {"events": events}) for _ in range(5)))
    assert all(a.status_code == 202 for a in answers)
    assert sum(a.json()["accepted"] for a in answers) == 40
    assert await stored(ingest, *(e["event_id"] for e in events)) == 40


async def test_partial_batch_stores_the_good_events(ingest: Ingest) -> None:
    key = await ingest.issue_key(["events:write"])
    good = [llm_call("r-p", "a1", 1), tool_call("r-p", "a1", 2)]
    bad_usage = llm_call("r-p", "a1", 3, usage={"input_tokens": "many"})
    unknown = {**step("r-p", "a1", 4), "kind": "telepathy"}
    no_id = {k: v for k, v in step("r-p", "a1", 5).items() if k != "event_id"}
    response = await post(ingest, key, {"events": [good[0], bad_usage, unknown, good[1], no_id]})
    assert response.status_code == 202, response.text
    body = response.json()
    assert body["accepted"] == 2
    assert body["duplicates"] == 0
    rejected = {r["index"]: r for r in body["rejected"]}
    assert sorted(rejected) == [1, 2, 4]
    assert rejected[1]["field"] == "events[1].usage.input_tokens"
    assert rejected[1]["event_id"] == bad_usage["event_id"]
    assert rejected[2]["field"] == "events[2].kind"
    assert rejected[4]["field"] == "events[4].event_id"
    assert await stored(ingest, good[0]["event_id"], good[1]["event_id"]) == 2
    assert await stored(ingest, bad_usage["event_id"]) == 0


async def test_all_bad_is_422_problem(ingest: Ingest) -> None:
    key = await ingest.issue_key(["events:write"])
    wrong_types = llm_call("r", "a1", latency_ms=-5, status="maybe")
    response = await post(ingest, key, {"events": [wrong_types, {"kind": "nope"}]})
    assert response.status_code == 422
    assert response.headers["content-type"].startswith(PROBLEM)
    body = response.json()
    assert body["accepted"] == 0
    assert [r["index"] for r in body["rejected"]] == [0, 1]
    fields = {e["field"] for e in body["errors"]}
    assert "events[0].latency_ms" in fields
    assert "events[1].kind" in fields


@pytest.mark.parametrize(
    ("body", "status", "field"),
    [
        (b"not json", 400, "body"),
        (b"[]", 422, "body"),
        (b'{"batch": []}', 422, "events"),
        (b'{"events": "x"}', 422, "events"),
        (b'{"events": []}', 422, "events"),
    ],
)
async def test_malformed_bodies_are_problems(
    ingest: Ingest, body: bytes, status: int, field: str
) -> None:
    key = await ingest.issue_key(["events:write"])
    response = await post(ingest, key, body)
    assert response.status_code == status
    assert response.headers["content-type"].startswith(PROBLEM)
    assert response.json()["errors"][0]["field"] == field


async def test_oversized_batches_are_413(make_ingest: Callable[..., Awaitable[Ingest]]) -> None:
    ingest = await make_ingest(max_batch_events=5, max_batch_bytes=20_000)
    key = await ingest.issue_key(["events:write"])
    too_many = await post(ingest, key, {"events": [llm_call("r", "a") for _ in range(6)]})
    assert too_many.status_code == 413
    assert too_many.json()["errors"][0]["field"] == "events"
    big = {"events": [run_started("r", "a", metadata={"blob": "x" * 30_000})]}
    too_big = await post(ingest, key, big)
    assert too_big.status_code == 413
    bomb = gzip.compress(json.dumps({"events": [], "pad": "0" * 10_000_000}).encode())
    assert len(bomb) < 20_000
    bombed = await post(ingest, key, bomb, **{"Content-Encoding": "gzip"})
    assert bombed.status_code == 413
    assert bombed.json()["errors"][0]["field"] == "body"


async def test_gzip_bodies(ingest: Ingest) -> None:
    key = await ingest.issue_key(["events:write"])
    events = [llm_call("r-gz", "a1", i) for i in range(3)]
    body = gzip.compress(json.dumps({"events": events}).encode())
    response = await post(ingest, key, body, **{"Content-Encoding": "gzip"})
    assert response.status_code == 202
    assert response.json()["accepted"] == 3
    garbage = await post(ingest, key, b"\x1f\x8b\x08garbage", **{"Content-Encoding": "gzip"})
    assert garbage.status_code == 400
    assert garbage.json()["errors"][0]["field"] == "body"
    truncated = await post(ingest, key, body[:-8], **{"Content-Encoding": "gzip"})
    assert truncated.status_code == 400


async def test_bad_revoked_expired_and_unscoped_keys(ingest: Ingest) -> None:
    events = {"events": [llm_call("r-k", "a1")]}
    assert (await ingest.client.post("/v1/events", json=events)).status_code == 401
    assert (await post(ingest, "ck_dev_garbage", events)).status_code == 401
    assert (await post(ingest, "not-a-jwt", events)).status_code == 401
    expired = await ingest.issue_key(
        ["events:write"], expires_at=datetime.now(UTC) - timedelta(seconds=1)
    )
    assert (await post(ingest, expired, events)).status_code == 401
    read_only = await ingest.issue_key(["read"])
    assert (await post(ingest, read_only, events)).status_code == 403
    key = await ingest.issue_key(["events:write"])
    assert (await post(ingest, key, events)).status_code == 202
    await ingest.revoke_key(key)
    refused = await post(ingest, key, {"events": [llm_call("r-k", "a1")]})
    assert refused.status_code == 401
    assert refused.headers["content-type"].startswith(PROBLEM)


async def test_people_submit_through_keys_only(ingest: Ingest) -> None:
    token = ingest.token([("team-a", "admin")])
    response = await post(ingest, token, {"events": [llm_call("r", "a")]})
    assert response.status_code == 403


async def test_rate_limit_answers_429_with_retry_after(
    make_ingest: Callable[..., Awaitable[Ingest]],
) -> None:
    ingest = await make_ingest(rate_limit_per_key_per_s=2)
    key = await ingest.issue_key(["events:write"])
    statuses = []
    for _ in range(8):
        response = await post(ingest, key, {"events": [llm_call("r-rl", "a")]})
        statuses.append(response.status_code)
        if response.status_code == 429:
            assert int(response.headers["Retry-After"]) >= 1
            assert response.headers["content-type"].startswith(PROBLEM)
    assert 429 in statuses
    assert statuses[0] == 202


async def test_events_reach_the_read_model(ingest: Ingest) -> None:
    key = await ingest.issue_key(["events:write", "read"])
    run_id = f"r-{uuid.uuid4().hex[:6]}"
    await post(ingest, key, {"events": [run_started(run_id, "a1"), llm_call(run_id, "a1", 1)]})

    async def visible() -> bool:
        response = await ingest.client.get(f"/v1/runs/{run_id}", headers=bearer(key))
        return response.status_code == 200 and len(response.json()["llm_calls"]) == 1

    await wait_until(visible, timeout=20, message="run projected")


async def test_health_and_metrics(ingest: Ingest) -> None:
    assert (await ingest.client.get("/health/live")).status_code == 200
    ready = await ingest.client.get("/health/ready")
    assert ready.status_code == 200, ready.text
    assert set(ready.json()["checks"].values()) == {"ok"}
    key = await ingest.issue_key(["events:write"])
    await post(ingest, key, {"events": [llm_call("r-m", "a")]})
    metrics = await ingest.client.get("/metrics")
    assert 'cognive_ingest_events_total{outcome="accepted",service="ingest"}' in metrics.text
