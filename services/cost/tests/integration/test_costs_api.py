"""Trends and summaries against an independent sum of what was priced; the cache never
serves stale data; rebuilt rollups equal the live ones; readers see only their teams."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from cognive_cost.projections.rollups import RollupsProjection
from cognive_runtime.projections.rebuild import rebuild

from ..conftest import Cost, recorded

pytestmark = pytest.mark.integration


async def priced_total(cost: Cost, n: int) -> dict[tuple[str, str], int]:
    """Per (team, hour): the sum of the priced events in cost's log."""
    for _ in range(400):
        rows = await cost.pool.fetch(
            "SELECT data FROM events WHERE type = 'cost.llm_call.priced.v1'"
        )
        if len(rows) >= n:
            break
        await asyncio.sleep(0.05)
    sums: dict[tuple[str, str], int] = {}
    for r in rows:
        d = r["data"]
        hour = datetime.fromisoformat(d["occurred_at"]).replace(minute=0, second=0, microsecond=0)
        key = (d["team_id"], hour.isoformat())
        sums[key] = sums.get(key, 0) + d["total_micros"]
    return sums


async def test_trends_and_summary_match_the_priced_events(cost: Cost) -> None:
    now = datetime.now(UTC).replace(minute=30)
    calls = [
        recorded(
            model,
            provider,
            agent_id=f"bot-{n % 3}",
            team_id=team,
            input_tokens=1_000 + n,
            occurred_at=now - timedelta(hours=n % 5),
        )
        for n, (model, provider, team) in enumerate(
            [("gpt-4o", "openai", "cx"), ("claude-3-5-sonnet-latest", "anthropic", "search")] * 10
        )
    ]
    for call in calls:
        await cost.send(call)
    expected = await priced_total(cost, len(calls))
    await cost.wait_sql("SELECT sum(calls) = $1 FROM cost_hourly", len(calls))
    frm, to = (now - timedelta(hours=6)).isoformat(), (now + timedelta(hours=1)).isoformat()
    response = await cost.client.get(
        "/v1/costs/trends",
        params={"group_by": "team", "bucket": "hour", "from": frm, "to": to},
        headers=cost.admin,
    )
    assert response.status_code == 200, response.text
    assert response.headers["X-Cache"] == "miss"
    got = {
        (p["group"], datetime.fromisoformat(p["bucket"].replace("Z", "+00:00")).isoformat()): p[
            "total_micros"
        ]
        for p in response.json()["points"]
    }
    assert got == expected
    again = await cost.client.get(
        "/v1/costs/trends",
        params={"group_by": "team", "bucket": "hour", "from": frm, "to": to},
        headers=cost.admin,
    )
    assert again.headers["X-Cache"] == "hit" and again.json() == response.json()

    summary = await cost.client.get(
        "/v1/costs/summary",
        params={"group_by": "team", "from": frm, "to": to},
        headers=cost.admin,
    )
    body = summary.json()
    assert body["total_micros"] == sum(expected.values())
    assert {g["group"]: g["total_micros"] for g in body["groups"]} == {
        team: sum(v for (t, _), v in expected.items() if t == team) for team in ("cx", "search")
    }

    # New data moves the rollups' checkpoint: the next answer is computed afresh.
    extra = recorded("gpt-4o", team_id="cx", occurred_at=now)
    await cost.send(extra)
    await cost.wait_sql("SELECT sum(calls) = $1 FROM cost_hourly", len(calls) + 1)
    fresh = await cost.client.get(
        "/v1/costs/summary",
        params={"group_by": "team", "from": frm, "to": to},
        headers=cost.admin,
    )
    assert fresh.headers["X-Cache"] == "miss"
    assert fresh.json()["calls"] == len(calls) + 1

    viewer = cost.person([("search", "viewer")])
    mine = await cost.client.get(
        "/v1/costs/summary", params={"group_by": "team", "from": frm, "to": to}, headers=viewer
    )
    assert [g["group"] for g in mine.json()["groups"]] == ["search"]
    denied = await cost.client.get("/v1/costs/trends", params={"team_id": "cx"}, headers=viewer)
    assert denied.status_code == 403
    assert (await cost.client.get("/v1/costs/trends")).status_code == 401
    bad = await cost.client.get(
        "/v1/costs/trends", params={"group_by": "colour"}, headers=cost.admin
    )
    assert bad.status_code == 422 and "group_by" in bad.json()["errors"][0]["field"]

    report: Any = await rebuild(cost.pool, RollupsProjection(), verify=True)
    assert report.swapped and report.verified and report.differing_rows == 0
