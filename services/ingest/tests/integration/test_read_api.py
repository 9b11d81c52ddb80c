"""GET /v1/runs, /v1/runs/{id}, /v1/policy-violations: filters, cursors, who sees what."""

from __future__ import annotations

import uuid
from typing import Any

import pytest

from cognive_ingest.domain.agents import AGENT_SYNCED, AgentSynced, agent_stream
from cognive_runtime.eventlog import NewEvent, append_to_stream
from cognive_runtime.testing import wait_until

from ..conftest import Ingest
from .events_factory import T0, llm_call, run_ended, run_started, step, tool_call
from .test_events_api import bearer, post

pytestmark = pytest.mark.integration


async def seed_runs(ingest: Ingest) -> dict[str, Any]:
    keys = {
        "a": await ingest.issue_key(["events:write", "read"], team_id="team-a"),
        "b": await ingest.issue_key(["events:write", "read"], team_id="team-b"),
    }
    for i in range(5):
        run = f"ra-{i}"
        events = [
            run_started(run, "agent-a", i * 10),
            step(run, "agent-a", i * 10 + 1),
            llm_call(run, "agent-a", i * 10 + 2),
            tool_call(run, "agent-a", i * 10 + 3),
        ]
        if i % 2 == 0:
            events.append(run_ended(run, "agent-a", i * 10 + 4, "success" if i else "failure"))
        assert (await post(ingest, keys["a"], {"events": events})).status_code == 202
    events = [run_started("rb-0", "agent-b", 5), llm_call("rb-0", "agent-b", 6)]
    assert (await post(ingest, keys["b"], {"events": events})).status_code == 202

    async def projected() -> bool:
        return await ingest.pool.fetchval("SELECT count(*) FROM runs") == 6

    await wait_until(projected, timeout=20, message="runs projected")
    return keys


async def list_runs(ingest: Ingest, auth: Any, **params: Any) -> Any:
    return await ingest.client.get("/v1/runs", params=params, headers=bearer(auth))


async def test_runs_listing_filters_and_cursor(ingest: Ingest) -> None:
    keys = await seed_runs(ingest)
    first = await list_runs(ingest, keys["a"], limit=2)
    assert first.status_code == 200, first.text
    page = first.json()
    assert [r["run_id"] for r in page["items"]] == ["ra-4", "ra-3"]
    seen = [r["run_id"] for r in page["items"]]
    while page["next_cursor"]:
        page = (await list_runs(ingest, keys["a"], limit=2, cursor=page["next_cursor"])).json()
        seen += [r["run_id"] for r in page["items"]]
    assert seen == ["ra-4", "ra-3", "ra-2", "ra-1", "ra-0"]  # never team-b's run
    running = (await list_runs(ingest, keys["a"], status="running")).json()["items"]
    assert {r["run_id"] for r in running} == {"ra-1", "ra-3"}
    failed = (await list_runs(ingest, keys["a"], status="failure")).json()["items"]
    assert [r["run_id"] for r in failed] == ["ra-0"]
    window = await list_runs(
        ingest,
        keys["a"],
        started_after=(T0.replace(second=10)).isoformat(),
        started_before=T0.replace(second=30).isoformat(),
    )
    assert [r["run_id"] for r in window.json()["items"]] == ["ra-2", "ra-1"]
    by_agent = (await list_runs(ingest, keys["b"], agent_id="agent-b")).json()["items"]
    assert [r["run_id"] for r in by_agent] == ["rb-0"]
    assert (await list_runs(ingest, keys["a"], team_id="team-b")).status_code == 403
    assert (await list_runs(ingest, keys["a"], status="bogus")).status_code == 422
    assert (await list_runs(ingest, keys["a"], cursor="!!notacursor")).status_code == 400


async def test_run_detail_in_order_and_team_isolation(ingest: Ingest) -> None:
    keys = await seed_runs(ingest)
    response = await ingest.client.get("/v1/runs/ra-2", headers=bearer(keys["a"]))
    assert response.status_code == 200
    run = response.json()
    assert run["status"] == "success"
    assert run["team_id"] == "team-a"
    assert (len(run["steps"]), len(run["llm_calls"]), len(run["tool_calls"])) == (1, 1, 1)
    call = run["llm_calls"][0]
    assert call["usage"]["cached_input_tokens"] == 1000
    assert call["model"] == "gpt-4o"
    assert run["steps"][0]["seq"] < call["seq"] < run["tool_calls"][0]["seq"]
    # Another team's run is indistinguishable from a missing one.
    other = await ingest.client.get("/v1/runs/rb-0", headers=bearer(keys["a"]))
    missing = await ingest.client.get("/v1/runs/nope", headers=bearer(keys["a"]))
    assert other.status_code == missing.status_code == 404


async def test_run_detail_items_are_the_runs_stream_in_time_order(ingest: Ingest) -> None:
    """The items come from the run's stream in the log, ordered by when they happened (then
    by their place in the stream), whatever order they were sent in; another run's events
    and the run's start and end are not items."""
    key = await ingest.issue_key(["events:write", "read"], team_id="team-a")
    batches = [
        [run_started("ro", "agent-a", 0), llm_call("ro", "agent-a", 5)],
        [step("ro", "agent-a", 2), llm_call("other", "agent-a", 3)],
        [tool_call("ro", "agent-a", 4), llm_call("ro", "agent-a", 1)],
        [run_ended("ro", "agent-a", 6, "success")],
    ]
    for events in batches:
        assert (await post(ingest, key, {"events": events})).status_code == 202

    async def ended() -> bool:
        status = await ingest.pool.fetchval("SELECT status FROM runs WHERE run_id = 'ro'")
        return bool(status == "success")

    await wait_until(ended, timeout=20, message="run projected")
    run = (await ingest.client.get("/v1/runs/ro", headers=bearer(key))).json()
    items = sorted(
        (item["occurred_at"], kind, item["seq"])
        for kind in ("steps", "llm_calls", "tool_calls")
        for item in run[kind]
    )
    assert [kind for _, kind, _ in items] == ["llm_calls", "steps", "tool_calls", "llm_calls"]
    assert [seq for _, _, seq in items] == [5, 3, 4, 2]  # place in the run's stream
    assert [c["seq"] for c in run["llm_calls"]] == [5, 2]  # in time order, not sent order
    assert (run["llm_call_count"], run["step_count"], run["tool_call_count"]) == (2, 1, 1)


async def test_people_see_their_teams(ingest: Ingest) -> None:
    await seed_runs(ingest)
    viewer_a = ingest.token([("team-a", "viewer")])
    both = ingest.token([("team-a", "viewer"), ("team-b", "developer")])
    org_admin = ingest.token([], org_role="admin")
    nobody = ingest.token([])
    ids = lambda r: {x["run_id"] for x in r.json()["items"]}  # noqa: E731
    assert ids(await list_runs(ingest, viewer_a)) == {f"ra-{i}" for i in range(5)}
    assert ids(await list_runs(ingest, both)) == {*(f"ra-{i}" for i in range(5)), "rb-0"}
    assert ids(await list_runs(ingest, org_admin)) == {*(f"ra-{i}" for i in range(5)), "rb-0"}
    assert (await list_runs(ingest, nobody)).status_code == 403
    assert (await ingest.client.get("/v1/runs/rb-0", headers=bearer(viewer_a))).status_code == 404
    assert (await ingest.client.get("/v1/runs/rb-0", headers=bearer(both))).status_code == 200
    writer = await ingest.issue_key(["events:write"])
    assert (await list_runs(ingest, writer)).status_code == 403
    assert (
        await ingest.client.get("/v1/runs", headers={"Authorization": "Bearer x.y.z"})
    ).status_code == 401


async def sync_agent(
    ingest: Ingest, agent_id: str, team_id: str, models: list[str], tools: list[str]
) -> None:
    """The agent as the registry consumer would log it (the event path is tested apart)."""
    synced = AgentSynced(
        agent_id=agent_id,
        team_id=team_id,
        allowed_models=models,
        approved_tools=tools,
        source_type="registry.agent.registered.v1",
        source_event_id=str(uuid.uuid4()),
        source_sequence=1,
        changed_at=T0,
    )
    async with ingest.pool.acquire() as conn, conn.transaction():
        await append_to_stream(
            conn, agent_stream(agent_id), [NewEvent(AGENT_SYNCED, synced.model_dump(mode="json"))]
        )


async def test_policy_violations_list(ingest: Ingest) -> None:
    key_a = await ingest.issue_key(["events:write", "read"], team_id="team-a")
    key_b = await ingest.issue_key(["events:write", "read"], team_id="team-b")
    await sync_agent(ingest, "pa", "team-a", ["gpt-4o*"], ["search"])
    await sync_agent(ingest, "pb", "team-b", [], [])
    await post(
        ingest,
        key_a,
        {
            "events": [
                llm_call("r1", "pa", 1, model="gpt-4o-mini"),
                llm_call("r1", "pa", 2, model="o3"),
                tool_call("r1", "pa", 3, "shell"),
                tool_call("r1", "pa", 4, "search"),
            ]
        },
    )
    await post(ingest, key_b, {"events": [llm_call("r2", "pb", 1)]})

    async def listed() -> bool:
        return await ingest.pool.fetchval("SELECT count(*) FROM policy_violations") == 3

    await wait_until(listed, timeout=20, message="violations projected")
    response = await ingest.client.get("/v1/policy-violations", headers=bearer(key_a))
    assert response.status_code == 200
    items = response.json()["items"]
    assert [(v["kind"], v["model"], v["tool"]) for v in items] == [
        ("tool_not_approved", None, "shell"),
        ("model_not_allowed", "o3", None),
    ]
    assert all(v["team_id"] == "team-a" and v["run_id"] == "r1" for v in items)
    page = (
        await ingest.client.get("/v1/policy-violations", params={"limit": 1}, headers=bearer(key_a))
    ).json()
    assert len(page["items"]) == 1
    assert page["next_cursor"]
    rest = (
        await ingest.client.get(
            "/v1/policy-violations",
            params={"limit": 1, "cursor": page["next_cursor"]},
            headers=bearer(key_a),
        )
    ).json()
    assert rest["items"][0]["kind"] == "model_not_allowed"
    assert rest["next_cursor"] is None
    models = await ingest.client.get(
        "/v1/policy-violations", params={"kind": "model_not_allowed"}, headers=bearer(key_a)
    )
    assert [v["model"] for v in models.json()["items"]] == ["o3"]
    admin = ingest.token([], org_role="admin")
    everything = await ingest.client.get(
        "/v1/policy-violations", params={"agent_id": "pb"}, headers=bearer(admin)
    )
    assert [v["agent_id"] for v in everything.json()["items"]] == ["pb"]
    assert (
        await ingest.client.get(
            "/v1/policy-violations", params={"team_id": "team-b"}, headers=bearer(key_a)
        )
    ).status_code == 403
