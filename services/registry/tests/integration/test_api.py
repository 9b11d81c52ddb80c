"""Every registry route against the real services: success, refusal and bad input."""

from __future__ import annotations

import pytest

from registry.tests.conftest import ADMIN_EMAIL, Registry

pytestmark = pytest.mark.integration


async def test_teams_create_update_list_get_with_idempotency(registry: Registry) -> None:
    admin = await registry.login()
    body = {"team_id": "cx", "name": "Customer Experience"}
    headers = {**admin, "Idempotency-Key": "create-cx"}
    first = await registry.client.post("/v1/teams", json=body, headers=headers)
    assert first.status_code == 201, first.text
    again = await registry.client.post("/v1/teams", json=body, headers=headers)
    assert again.status_code == 201
    assert again.json() == first.json()
    assert again.headers["idempotent-replayed"] == "true"
    other = await registry.client.post("/v1/teams", json={**body, "name": "Other"}, headers=headers)
    assert other.status_code == 422
    dup = await registry.client.post("/v1/teams", json=body, headers=admin)
    assert dup.status_code == 409
    assert dup.json()["errors"][0]["field"] == "team_id"

    updated = await registry.client.patch(
        "/v1/teams/cx", json={"description": "support bots"}, headers=admin
    )
    assert updated.status_code == 200
    assert updated.json()["description"] == "support bots"
    listed = await registry.client.get("/v1/teams", headers=admin)
    assert [t["team_id"] for t in listed.json()["items"]] == ["cx"]
    assert (await registry.client.get("/v1/teams/cx", headers=admin)).json()["name"] == (
        "Customer Experience"
    )
    assert (await registry.client.get("/v1/teams/nope", headers=admin)).status_code == 404


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"team_id": "Bad Id!", "name": "x"}, "body.team_id"),
        ({"team_id": "ok", "name": ""}, "body.name"),
        ({"team_id": "ok"}, "body.name"),
        ({"team_id": "ok", "name": "x", "surprise": 1}, "body.surprise"),
    ],
)
async def test_bad_team_bodies_name_the_field(
    registry: Registry, body: dict[str, object], field: str
) -> None:
    admin = await registry.login()
    response = await registry.client.post("/v1/teams", json=body, headers=admin)
    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"
    assert field in [e["field"] for e in response.json()["errors"]]


async def test_agent_registration_is_idempotent_and_updates_and_retires(registry: Registry) -> None:
    admin = await registry.login()
    await registry.team(admin, "cx")
    sdk = await registry.key(admin, "cx", ["agents:register", "read"])
    body = {
        "name": "support-bot",
        "framework": "langchain",
        "environment": "prod",
        "allowed_models": ["gpt-4o*"],
        "approved_tools": ["search"],
    }
    first = await registry.client.post("/v1/agents", json=body, headers=sdk)
    assert first.status_code == 201, first.text
    agent = first.json()
    assert agent["team_id"] == "cx" and agent["status"] == "active"
    again = await registry.client.post("/v1/agents", json=body, headers=sdk)
    assert again.status_code == 200
    assert again.json()["agent_id"] == agent["agent_id"]
    assert again.json()["updated_at"] == agent["updated_at"], "no change, no event"
    changed = await registry.client.post(
        "/v1/agents", json={**body, "allowed_models": ["gpt-4o*", "o3*"]}, headers=sdk
    )
    assert changed.status_code == 200
    assert changed.json()["allowed_models"] == ["gpt-4o*", "o3*"]

    other_team = await registry.client.post(
        "/v1/agents", json={**body, "team_id": "ops"}, headers=sdk
    )
    assert other_team.status_code == 403

    patched = await registry.client.patch(
        f"/v1/agents/{agent['agent_id']}", json={"version": "1.2.0"}, headers=sdk
    )
    assert patched.status_code == 200 and patched.json()["version"] == "1.2.0"

    listed = await registry.client.get(
        "/v1/agents", params={"environment": "prod", "framework": "langchain"}, headers=sdk
    )
    assert [a["agent_id"] for a in listed.json()["items"]] == [agent["agent_id"]]
    assert (
        await registry.client.get("/v1/agents", params={"environment": "dev"}, headers=sdk)
    ).json()["items"] == []

    # Retiring is a person's decision (team lead and up), not a key's.
    assert (
        await registry.client.post(f"/v1/agents/{agent['agent_id']}/retire", json={}, headers=sdk)
    ).status_code == 403
    retired = await registry.client.post(
        f"/v1/agents/{agent['agent_id']}/retire", json={"reason": "replaced"}, headers=admin
    )
    assert retired.status_code == 200 and retired.json()["status"] == "retired"
    refused = await registry.client.post("/v1/agents", json=body, headers=sdk)
    assert refused.status_code == 409


async def test_agent_pagination_walks_every_agent_once(registry: Registry) -> None:
    admin = await registry.login()
    await registry.team(admin, "cx")
    for i in range(7):
        response = await registry.client.post(
            "/v1/agents", json={"name": f"bot-{i}", "team_id": "cx"}, headers=admin
        )
        assert response.status_code == 201
    seen: list[str] = []
    cursor = None
    while True:
        params = {"limit": 3, **({"cursor": cursor} if cursor else {})}
        page = (await registry.client.get("/v1/agents", params=params, headers=admin)).json()
        seen += [a["name"] for a in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert sorted(seen) == [f"bot-{i}" for i in range(7)]
    bad = await registry.client.get("/v1/agents", params={"cursor": "%%%"}, headers=admin)
    assert bad.status_code == 400


async def test_api_keys_issue_once_list_without_secret_and_revoke(registry: Registry) -> None:
    admin = await registry.login()
    await registry.team(admin, "cx")
    issued = await registry.client.post(
        "/v1/api-keys",
        json={
            "team_id": "cx",
            "name": "ci",
            "scopes": ["read", "events:write"],
            "environment": "prod",
        },
        headers={**admin, "Idempotency-Key": "k1"},
    )
    assert issued.status_code == 201, issued.text
    key = issued.json()
    assert key["api_key"].startswith(f"{key['prefix']}_")
    assert key["api_key"].startswith("ck_prod_")
    retry = await registry.client.post(
        "/v1/api-keys",
        json={
            "team_id": "cx",
            "name": "ci",
            "scopes": ["read", "events:write"],
            "environment": "prod",
        },
        headers={**admin, "Idempotency-Key": "k1"},
    )
    assert retry.status_code == 409, "the secret is never shown twice"

    as_key = {"Authorization": f"Bearer {key['api_key']}"}
    me = await registry.client.get("/v1/auth/me", headers=as_key)
    assert me.status_code == 200
    assert me.json() == {
        "subject": f"api_key:{key['key_id']}",
        "kind": "api_key",
        "team_id": "cx",
        "scopes": ["events:write", "read"],
        "org_role": None,
        "roles": [],
    }

    listed = await registry.client.get("/v1/api-keys", params={"team_id": "cx"}, headers=admin)
    assert [k["key_id"] for k in listed.json()["items"]] == [key["key_id"]]
    assert "api_key" not in listed.text and "secret" not in listed.text

    revoked = await registry.client.post(
        f"/v1/api-keys/{key['key_id']}/revoke", json={"reason": "leaked"}, headers=admin
    )
    assert revoked.status_code == 200 and revoked.json()["revoked_at"] is not None
    assert (await registry.client.get("/v1/auth/me", headers=as_key)).status_code == 401

    past = await registry.client.post(
        "/v1/api-keys",
        json={
            "team_id": "cx",
            "name": "old",
            "scopes": ["read"],
            "expires_at": "2020-01-01T00:00:00Z",
        },
        headers=admin,
    )
    assert past.status_code == 422
    no_scope = await registry.client.post(
        "/v1/api-keys", json={"team_id": "cx", "name": "x", "scopes": []}, headers=admin
    )
    assert no_scope.status_code == 422
    assert "body.scopes" in [e["field"] for e in no_scope.json()["errors"]]
    bad_scope = await registry.client.post(
        "/v1/api-keys", json={"team_id": "cx", "name": "x", "scopes": ["root"]}, headers=admin
    )
    assert bad_scope.status_code == 422


async def test_users_roles_and_dev_login_claims(registry: Registry) -> None:
    admin = await registry.login()
    await registry.team(admin, "cx")
    dev = await registry.person(admin, "dev@example.com", "cx", "developer")
    me = (await registry.client.get("/v1/auth/me", headers=dev)).json()
    assert me["roles"] == [{"team_id": "cx", "role": "developer"}]
    # A developer may register agents in the team but not issue keys or manage people.
    assert (
        await registry.client.post("/v1/agents", json={"name": "b", "team_id": "cx"}, headers=dev)
    ).status_code == 201
    assert (
        await registry.client.post(
            "/v1/api-keys", json={"team_id": "cx", "name": "k", "scopes": ["read"]}, headers=dev
        )
    ).status_code == 403
    assert (await registry.client.get("/v1/users", headers=dev)).status_code == 403

    users = (await registry.client.get("/v1/users", headers=admin)).json()["items"]
    user = next(u for u in users if u["email"] == "dev@example.com")
    revoked = await registry.client.delete(f"/v1/users/{user['user_id']}/roles/cx", headers=admin)
    assert revoked.status_code == 200 and revoked.json()["roles"] == []
    assert (
        await registry.client.post("/v1/users", json={"email": "dev@example.com"}, headers=admin)
    ).status_code == 409
    assert (
        await registry.client.post("/v1/users", json={"email": "not-an-email"}, headers=admin)
    ).status_code == 422
    unknown = await registry.client.post("/v1/auth/dev-login", json={"email": "who@example.com"})
    assert unknown.status_code == 401


@pytest.mark.parametrize(
    "authorization",
    [
        None,
        "Bearer not-a-jwt",
        "Bearer eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0.",
        "Bearer ck_dev_aaaaaaaaaaaa_" + "A" * 49,
        "Basic dXNlcjpwYXNz",
    ],
)
async def test_bad_credentials_get_401(registry: Registry, authorization: str | None) -> None:
    headers = {"Authorization": authorization} if authorization else {}
    response = await registry.client.get("/v1/teams", headers=headers)
    assert response.status_code == 401
    assert response.headers["content-type"] == "application/problem+json"


async def test_bootstrap_admin_exists_once(make_registry) -> None:  # type: ignore[no-untyped-def]
    registry = await make_registry()
    admin = await registry.login()
    me = (await registry.client.get("/v1/auth/me", headers=admin)).json()
    assert me["org_role"] == "admin"
    count = await registry.pool.fetchval(
        "SELECT count(*) FROM events WHERE type = 'registry.user.created.v1'"
    )
    assert count == 1
    assert ADMIN_EMAIL
