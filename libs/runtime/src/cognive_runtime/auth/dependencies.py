"""FastAPI dependencies that authenticate the caller and declare what a route needs.

The app factory (or a test) must set on ``app.state``:

- ``api_keys``: ``ApiKeyStore`` — authenticates ``Authorization: Bearer ck_...``;
- ``jwt_verifier``: ``JwtVerifier`` — authenticates every other bearer token;
- ``rate_limiter``: ``RateLimiter | None`` — per-key limit applied to API keys (``None``
  or absent: no limit).

Usage::

    @router.post("/v1/events")
    async def ingest(principal: Annotated[Principal, Depends(require_scope("events:write"))]):
        ...

    @router.put("/v1/teams/{team_id}/budgets")
    async def put(principal: Annotated[Principal, Depends(require_role("team_lead"))]): ...

Status codes: 401 (with ``WWW-Authenticate``) when the credential is missing, malformed,
unknown, wrong, revoked or expired — one answer for all, so a caller learns nothing about
which keys exist; 403 when the caller is known but lacks the scope or role; 429 with
``Retry-After`` when a key exceeds its rate; 503 when the identity provider's JWKS cannot
be fetched. How people pass scope checks by role is documented in
``cognive_runtime.auth.principals``.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Annotated, cast

from fastapi import Depends, Request

from cognive_contracts.events.base import Role
from cognive_runtime.auth.api_key_format import KEY_PREFIX, Scope
from cognive_runtime.auth.jwt_tokens import InvalidToken, JwtVerifier
from cognive_runtime.auth.key_projection import ApiKeyStore
from cognive_runtime.auth.principals import ApiKeyPrincipal, Principal, UserPrincipal
from cognive_runtime.auth.rate_limit import RateLimiter
from cognive_runtime.problems import FieldProblem, ProblemError, problem_type

REALM = 'Bearer realm="cognive"'


def _unauthorized(detail: str, error: str | None = None) -> ProblemError:
    challenge = REALM if error is None else f'{REALM}, error="{error}"'
    return ProblemError(
        status=401,
        title="Unauthorized",
        detail=detail,
        type=problem_type("unauthorized"),
        headers={"WWW-Authenticate": challenge},
    )


def _forbidden(detail: str, scope: str | None = None) -> ProblemError:
    headers = {}
    if scope is not None:
        headers["WWW-Authenticate"] = f'{REALM}, error="insufficient_scope", scope="{scope}"'
    return ProblemError(
        status=403,
        title="Forbidden",
        detail=detail,
        type=problem_type("forbidden"),
        headers=headers,
    )


def _bearer(request: Request) -> str:
    header = request.headers.get("authorization")
    if not header:
        raise _unauthorized("a bearer token or API key is required")
    scheme, _, token = header.partition(" ")
    token = token.strip()
    if scheme.lower() != "bearer" or not token:
        raise _unauthorized("use 'Authorization: Bearer <token>'", "invalid_request")
    return token


async def authenticate(request: Request) -> Principal:
    """The caller, from ``Authorization: Bearer``; also kept as ``request.state.principal``
    for logging and audit."""
    cached = getattr(request.state, "principal", None)
    if isinstance(cached, ApiKeyPrincipal | UserPrincipal):
        return cached
    token = _bearer(request)
    state = request.app.state
    principal: Principal
    if token.startswith(KEY_PREFIX):
        store = cast(ApiKeyStore, state.api_keys)
        found = await store.lookup(token)
        if found is None:
            raise _unauthorized("invalid, revoked or expired API key", "invalid_token")
        limiter = cast(RateLimiter | None, getattr(state, "rate_limiter", None))
        if limiter is not None:
            await limiter.check(f"api_key:{found.key_id}")
        principal = found
    else:
        verifier = cast(JwtVerifier, state.jwt_verifier)
        try:
            principal = await verifier.verify_async(token)
        except InvalidToken as exc:
            if exc.reason == "jwks_unavailable":
                raise ProblemError(
                    status=503,
                    title="Service Unavailable",
                    detail="the identity provider's keys cannot be fetched",
                    type=problem_type("identity-provider-unavailable"),
                    headers={"Retry-After": "5"},
                ) from exc
            raise _unauthorized(f"token refused: {exc.reason}", "invalid_token") from exc
    request.state.principal = principal
    return principal


AuthDep = Annotated[Principal, Depends(authenticate)]


def ensure_scope(principal: Principal, scope: Scope) -> None:
    if not principal.has_scope(scope):
        raise _forbidden(f"requires scope {scope}", scope)


def ensure_team_access(principal: Principal, team_id: str) -> None:
    if not principal.can_access_team(team_id):
        raise _forbidden(f"no access to team {team_id}")


def ensure_team_role(
    principal: Principal, team_id: str, min_role: Role, *, api_key_scope: Scope | None = None
) -> None:
    """A person needs ``min_role`` in ``team_id`` (org-wide roles count). An API key passes
    only when ``api_key_scope`` is given and the key holds it for that very team."""
    if isinstance(principal, UserPrincipal):
        if not principal.has_role(team_id, min_role):
            raise _forbidden(f"requires role {min_role} in team {team_id}")
        return
    if api_key_scope is None:
        raise _forbidden("this action needs a person's token, not an API key")
    ensure_team_access(principal, team_id)
    ensure_scope(principal, api_key_scope)


def require_scope(scope: Scope) -> Callable[[Principal], Awaitable[Principal]]:
    """Dependency: any authenticated caller holding ``scope`` (401 / 403 otherwise)."""

    async def dependency(principal: AuthDep) -> Principal:
        ensure_scope(principal, scope)
        return principal

    dependency.__name__ = f"require_scope_{scope.replace(':', '_')}"
    return dependency


def require_role(
    min_role: Role, team_param: str = "team_id", *, api_key_scope: Scope | None = None
) -> Callable[[Request, Principal], Awaitable[Principal]]:
    """Dependency for team-scoped person actions: the team id is read from the path
    parameter (or, failing that, the query parameter) named ``team_param``."""

    async def dependency(request: Request, principal: AuthDep) -> Principal:
        team_id = request.path_params.get(team_param) or request.query_params.get(team_param)
        if not team_id:
            raise ProblemError(
                status=400,
                title="Bad Request",
                detail=f"{team_param} is required",
                type=problem_type("validation"),
                errors=[FieldProblem(field=team_param, msg="required", type="missing")],
            )
        ensure_team_role(principal, str(team_id), min_role, api_key_scope=api_key_scope)
        return principal

    dependency.__name__ = f"require_role_{min_role}"
    return dependency
