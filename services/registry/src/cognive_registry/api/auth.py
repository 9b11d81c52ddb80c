"""/v1/auth: the development login (HS256 tokens carrying role bindings) and `me`."""

from __future__ import annotations

from datetime import timedelta

from fastapi import APIRouter

from cognive_contracts.http.registry import DevLogin, MeOut, RoleBindingOut, TokenOut
from cognive_registry.api.deps import State
from cognive_registry.domain.users import user_id_for
from cognive_runtime.auth import ApiKeyPrincipal, AuthDep, RoleBinding, issue_dev_token
from cognive_runtime.problems import ProblemError, problem_type

router = APIRouter(prefix="/v1/auth", tags=["auth"])


@router.post("/dev-login", response_model=TokenOut)
async def dev_login(body: DevLogin, state: State) -> TokenOut:
    if not state.settings.dev_login:
        raise ProblemError(404, "Not Found", "the development login is disabled")
    user_id = user_id_for(body.email)
    user = await state.pool.fetchrow("SELECT * FROM users WHERE user_id = $1", user_id)
    if user is None:
        # Same answer whether or not the address exists elsewhere: nothing to enumerate.
        raise ProblemError(401, "Unauthorized", "unknown user", type=problem_type("login-failed"))
    roles = await state.pool.fetch(
        "SELECT team_id, role FROM role_bindings WHERE user_id = $1", user_id
    )
    ttl = state.settings.dev_token_ttl_s
    token = issue_dev_token(
        state.settings,
        user_id,
        [RoleBinding(r["team_id"], r["role"]) for r in roles],
        timedelta(seconds=ttl),
        name=user["display_name"],
        email=user["email"],
        org_role=user["org_role"],
    )
    return TokenOut(access_token=token, expires_in=ttl)


@router.get("/me", response_model=MeOut)
async def me(principal: AuthDep) -> MeOut:
    if isinstance(principal, ApiKeyPrincipal):
        return MeOut(
            subject=principal.subject,
            kind="api_key",
            team_id=principal.team_id,
            scopes=sorted(principal.scopes),
        )
    return MeOut(
        subject=principal.subject,
        kind="user",
        org_role=principal.org_role,
        roles=[RoleBindingOut(team_id=b.team_id, role=b.role) for b in principal.roles],
    )
