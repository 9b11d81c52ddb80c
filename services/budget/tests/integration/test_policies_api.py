"""/v1/budgets: who may define what, validation as problem+json, status and archive."""

from __future__ import annotations

import pytest

from ..conftest import Budget

pytestmark = pytest.mark.integration

MONTHLY = {
    "name": "cx monthly",
    "scope_kind": "team",
    "scope_id": "cx",
    "period": "month",
    "limit_micros": 50_000_000,
    "mode": "hard",
}


async def test_team_lead_defines_updates_archives(budget: Budget) -> None:
    lead = budget.person([("cx", "team_lead")])
    created = await budget.create_budget(lead, **MONTHLY)
    assert created["team_id"] == "cx"
    assert created["thresholds"] == [80, 90, 100]
    status = created["status"]
    assert status["spent_micros"] == 0 and status["remaining_micros"] == 50_000_000
    assert status["period_start"].endswith("-01T00:00:00Z")

    policy_id = created["policy_id"]
    patched = await budget.client.patch(
        f"/v1/budgets/{policy_id}", json={"limit_micros": 60_000_000}, headers=lead
    )
    assert patched.status_code == 200, patched.text
    assert patched.json()["limit_micros"] == 60_000_000

    viewer = budget.person([("cx", "viewer")])
    listed = await budget.client.get("/v1/budgets", headers=viewer)
    assert [b["policy_id"] for b in listed.json()["items"]] == [policy_id]

    archived = await budget.client.post(f"/v1/budgets/{policy_id}/archive", json={}, headers=lead)
    assert archived.status_code == 200 and archived.json()["archived"] is True
    listed = await budget.client.get("/v1/budgets", headers=viewer)
    assert listed.json()["items"] == []

    events = await budget.pool.fetch(
        "SELECT type FROM events WHERE stream_id = $1 ORDER BY stream_version",
        f"policy-{policy_id}",
    )
    assert [e["type"] for e in events] == [
        "budget.policy.defined.v1",
        "budget.period.rolled.v1",
        "budget.policy.updated.v1",
        "budget.policy.archived.v1",
    ]


async def test_authorization(budget: Budget) -> None:
    viewer = budget.person([("cx", "viewer")])
    other_lead = budget.person([("search", "team_lead")])
    admin = budget.person([], org_role="admin")
    for who, body, status in [
        (viewer, MONTHLY, 403),
        (other_lead, MONTHLY, 403),
        (budget.person([("cx", "team_lead")]), {**MONTHLY, "scope_kind": "org"}, 403),
        (admin, {**MONTHLY, "scope_kind": "org", "scope_id": "acme"}, 201),
    ]:
        response = await budget.client.post("/v1/budgets", json=body, headers=who)
        assert response.status_code == status, response.text
    assert (await budget.client.get("/v1/budgets")).status_code == 401
    key = await budget.key("cx", ["events:write", "budget:check"])
    response = await budget.client.post("/v1/budgets", json=MONTHLY, headers=key)
    assert response.status_code == 403


async def test_bad_input_names_the_field(budget: Budget) -> None:
    lead = budget.person([("cx", "team_lead")])
    for body, field in [
        ({**MONTHLY, "timezone": "Mars/Olympus"}, "timezone"),
        ({**MONTHLY, "limit_micros": 0}, "limit_micros"),
        ({**MONTHLY, "limit_micros": 1.5}, "limit_micros"),
        ({**MONTHLY, "period": "fortnight"}, "period"),
        ({**MONTHLY, "thresholds": [80, 80]}, "thresholds"),
    ]:
        response = await budget.client.post("/v1/budgets", json=body, headers=lead)
        assert response.status_code in (400, 422), (body, response.text)
        assert response.headers["content-type"].startswith("application/problem+json")
        fields = [e["field"] for e in response.json().get("errors", [])]
        assert any(field in f for f in fields), (field, response.json())


async def test_agent_budget_takes_the_agents_team(budget: Budget) -> None:
    await budget.agent("bot-1", "cx", ["gpt-4o*"])
    lead = budget.person([("cx", "team_lead")])
    created = await budget.create_budget(
        lead,
        name="bot daily",
        scope_kind="agent",
        scope_id="bot-1",
        period="day",
        limit_micros=1_000_000,
    )
    assert created["team_id"] == "cx"
    wrong = await budget.client.post(
        "/v1/budgets",
        json={
            "name": "x",
            "scope_kind": "agent",
            "scope_id": "bot-1",
            "team_id": "search",
            "period": "day",
            "limit_micros": 5,
        },
        headers=budget.person([("search", "team_lead")]),
    )
    assert wrong.status_code == 422
    assert wrong.json()["errors"][0]["field"] == "team_id"


async def test_idempotent_create(budget: Budget) -> None:
    lead = budget.person([("cx", "team_lead")])
    headers = {**lead, "Idempotency-Key": "abc"}
    first = await budget.client.post("/v1/budgets", json=MONTHLY, headers=headers)
    second = await budget.client.post("/v1/budgets", json=MONTHLY, headers=headers)
    assert first.status_code == second.status_code == 201
    assert first.json()["policy_id"] == second.json()["policy_id"]
    assert second.headers.get("Idempotent-Replayed") == "true"
