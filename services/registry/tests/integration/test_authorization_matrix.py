"""Each route by each kind of caller → allowed or refused, in one table.

Callers: an org admin, a team admin, team lead, developer and viewer of team `cx`, a team
lead of another team, and API keys of `cx` with each scope. "ok" means the route did not
refuse on authorization (any 2xx, or a 404/409 of the resource itself)."""

from __future__ import annotations

from typing import Any

import pytest

from registry.tests.conftest import Registry

pytestmark = pytest.mark.integration

CALLERS = (
    "org_admin",
    "admin",
    "team_lead",
    "developer",
    "viewer",
    "other_lead",
    "key_read",
    "key_register",
    "key_admin",
    "key_events",
)

# route → set of callers allowed
MATRIX: dict[str, set[str]] = {
    "POST /v1/teams": {"org_admin"},
    "PATCH /v1/teams/cx": {"org_admin", "admin", "team_lead"},
    "GET /v1/teams/cx": set(CALLERS) - {"other_lead"},
    # The admin scope holds every scope (ADR 0005).
    "POST /v1/agents": {
        "org_admin",
        "admin",
        "team_lead",
        "developer",
        "key_register",
        "key_admin",
    },
    "POST /v1/agents/{agent}/retire": {"org_admin", "admin", "team_lead"},
    "POST /v1/api-keys": {"org_admin", "admin", "team_lead", "key_admin"},
    "GET /v1/api-keys?team_id=cx": {"org_admin", "admin", "team_lead", "key_admin"},
    "POST /v1/users": {"org_admin"},
    "GET /v1/users": {"org_admin"},
    "POST /v1/users/{user}/roles": {"org_admin", "admin"},
    # A lead of another team may read the trail, filtered to that team (checked below).
    "GET /v1/audit": {"org_admin", "admin", "team_lead", "other_lead", "key_admin"},
    "GET /v1/audit/verify": {"org_admin"},
}


async def callers(registry: Registry) -> tuple[dict[str, dict[str, str]], dict[str, str]]:
    root = await registry.login()
    await registry.team(root, "cx")
    await registry.team(root, "ops")
    heads = {"org_admin": root}
    for role in ("admin", "team_lead", "developer", "viewer"):
        heads[role] = await registry.person(root, f"{role}@example.com", "cx", role)
    heads["other_lead"] = await registry.person(root, "lead@ops.example.com", "ops", "team_lead")
    for name, scope in (
        ("key_read", "read"),
        ("key_register", "agents:register"),
        ("key_admin", "admin"),
        ("key_events", "events:write"),
    ):
        heads[name] = await registry.key(root, "cx", [scope])
    agent = await registry.client.post(
        "/v1/agents", json={"name": "m", "team_id": "cx"}, headers=root
    )
    users = (await registry.client.get("/v1/users", headers=root)).json()["items"]
    ids = {"agent": agent.json()["agent_id"], "user": users[0]["user_id"]}
    return heads, ids


def request_for(route: str, n: int) -> tuple[str, str, dict[str, Any] | None]:
    method, path = route.split(" ", 1)
    bodies: dict[str, dict[str, Any]] = {
        "POST /v1/teams": {"team_id": f"t{n}", "name": "T"},
        "PATCH /v1/teams/cx": {"description": f"d{n}"},
        "POST /v1/agents": {"name": f"a{n}", "team_id": "cx"},
        "POST /v1/agents/{agent}/retire": {},
        "POST /v1/api-keys": {"team_id": "cx", "name": f"k{n}", "scopes": ["read"]},
        "POST /v1/users": {"email": f"u{n}@example.com"},
        "POST /v1/users/{user}/roles": {"team_id": "cx", "role": "viewer"},
    }
    return method, path, bodies.get(route)


async def test_route_by_caller_matrix(registry: Registry) -> None:
    heads, ids = await callers(registry)
    failures = []
    n = 0
    for route, allowed in MATRIX.items():
        for caller in CALLERS:
            n += 1
            method, path, body = request_for(route, n)
            path = path.format(**ids)
            response = await registry.client.request(method, path, json=body, headers=heads[caller])
            refused = response.status_code in (401, 403)
            if (caller in allowed) == refused:
                failures.append(
                    f"{route} as {caller}: {response.status_code} {response.text[:120]}"
                )
    assert not failures, "\n".join(failures)
    other = await registry.client.get("/v1/audit", headers=heads["other_lead"])
    assert {e["team_id"] for e in other.json()["items"]} <= {"ops"}
    assert (
        await registry.client.get(
            "/v1/audit", params={"team_id": "cx"}, headers=heads["other_lead"]
        )
    ).status_code == 403
