import pytest

from cognive_runtime.auth.principals import ApiKeyPrincipal, RoleBinding, UserPrincipal

pytestmark = pytest.mark.unit


def test_user_scopes_follow_the_documented_role_mapping() -> None:
    viewer = UserPrincipal("u1", roles=(RoleBinding("a", "viewer"),))
    developer = UserPrincipal(
        "u2", roles=(RoleBinding("a", "viewer"), RoleBinding("b", "developer"))
    )
    lead = UserPrincipal("u3", roles=(RoleBinding("a", "team_lead"),))
    admin = UserPrincipal("u4", roles=(RoleBinding("a", "admin"),))
    assert viewer.has_scope("read")
    assert not viewer.has_scope("events:write")
    for scope in ("read", "events:write", "agents:register", "budget:check"):
        assert developer.has_scope(scope)
        assert lead.has_scope(scope)
    assert not lead.has_scope("admin")
    assert admin.has_scope("admin")
    assert not UserPrincipal("nobody").has_scope("read")


def test_team_roles_and_org_roles() -> None:
    user = UserPrincipal("u", roles=(RoleBinding("a", "viewer"), RoleBinding("a", "team_lead")))
    assert user.role_in("a") == "team_lead"
    assert user.role_in("b") is None
    assert user.can_access_team("a")
    assert not user.can_access_team("b")
    assert user.has_role("a", "developer")
    assert not user.has_role("a", "admin")

    org_admin = UserPrincipal("boss", org_role="admin")
    assert org_admin.is_org_admin
    assert org_admin.has_role("any-team", "admin")
    assert org_admin.has_scope("admin")

    org_viewer = UserPrincipal("auditor", roles=(RoleBinding("a", "developer"),), org_role="viewer")
    assert org_viewer.role_in("z") == "viewer"
    assert org_viewer.role_in("a") == "developer"


def test_api_keys_stay_in_their_team() -> None:
    key = ApiKeyPrincipal("k1", "team-a", frozenset({"admin"}))
    assert key.has_scope("events:write")
    assert key.can_access_team("team-a")
    assert not key.can_access_team("team-b")
    assert key.subject == "api_key:k1"
