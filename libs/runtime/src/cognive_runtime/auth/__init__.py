"""Authentication and authorization: API keys (format, per-service projection, lookup),
people's JWTs (dev HS256 and OIDC), FastAPI dependencies and per-key rate limiting."""

from cognive_runtime.auth.api_key_format import (
    ALL_SCOPES,
    GeneratedKey,
    ParsedKey,
    Scope,
    generate_api_key,
    hash_api_key,
    parse_api_key,
    verify_api_key_hash,
)
from cognive_runtime.auth.dependencies import (
    AuthDep,
    authenticate,
    ensure_scope,
    ensure_team_access,
    ensure_team_role,
    require_role,
    require_scope,
)
from cognive_runtime.auth.jwt_tokens import (
    InvalidToken,
    JwtConfig,
    JwtVerifier,
    issue_dev_token,
    verify_token,
)
from cognive_runtime.auth.key_projection import ApiKeyProjection, ApiKeyStore
from cognive_runtime.auth.principals import (
    ROLE_ORDER,
    SCOPE_MIN_ROLE,
    ApiKeyPrincipal,
    Principal,
    RoleBinding,
    UserPrincipal,
)
from cognive_runtime.auth.rate_limit import RateDecision, RateLimiter

__all__ = [
    "ALL_SCOPES",
    "ROLE_ORDER",
    "SCOPE_MIN_ROLE",
    "ApiKeyPrincipal",
    "ApiKeyProjection",
    "ApiKeyStore",
    "AuthDep",
    "GeneratedKey",
    "InvalidToken",
    "JwtConfig",
    "JwtVerifier",
    "ParsedKey",
    "Principal",
    "RateDecision",
    "RateLimiter",
    "RoleBinding",
    "Scope",
    "UserPrincipal",
    "authenticate",
    "ensure_scope",
    "ensure_team_access",
    "ensure_team_role",
    "generate_api_key",
    "hash_api_key",
    "issue_dev_token",
    "parse_api_key",
    "require_role",
    "require_scope",
    "verify_api_key_hash",
    "verify_token",
]
