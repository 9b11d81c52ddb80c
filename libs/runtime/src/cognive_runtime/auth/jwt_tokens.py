"""People's bearer tokens: HS256 dev tokens issued by registry, OIDC tokens in production.

Claims of a dev token (and what services read)::

    sub       user id
    name      display name (optional)
    email     (optional)
    roles     [{"team_id": "...", "role": "viewer|developer|team_lead|admin"}, ...]
    org_role  optional org-wide role ("admin" passes every team check)
    iss, aud, iat, exp

An OIDC token's roles are never taken from the token as such: its group claim is mapped to
bindings by configuration (``oidc_group_role_map``: group -> ``"<team_id>:<role>"``, or
``"*:<role>"`` for an org-wide role), so the identity provider stays the one place where
membership is managed. Asymmetric tokens are verified only with keys from the configured
JWKS and only with the configured algorithms, so an HS256 token signed with a public key
(the classic algorithm-confusion attack) or ``alg: none`` never passes.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any, Final, Literal, get_args

import jwt
from pydantic import BaseModel, ConfigDict, TypeAdapter, ValidationError

from cognive_contracts.events.base import Role
from cognive_runtime.auth.principals import RoleBinding, UserPrincipal, role_at_least
from cognive_runtime.settings import ServiceSettings

DEFAULT_ISSUER: Final = "cognive-dev"
DEFAULT_AUDIENCE: Final = "cognive"
ORG_WIDE: Final = "*"
_ROLES: Final[frozenset[str]] = frozenset(get_args(Role))

TokenFailure = Literal[
    "malformed", "expired", "signature", "audience", "issuer", "algorithm", "claims",
    "jwks_unavailable",
]  # fmt: skip


class InvalidToken(Exception):
    """The token cannot authenticate anyone. ``reason`` is safe to show the caller."""

    def __init__(self, reason: TokenFailure, detail: str = "") -> None:
        super().__init__(f"{reason}: {detail}" if detail else reason)
        self.reason: TokenFailure = reason
        self.detail = detail


@dataclass(frozen=True, slots=True)
class GroupGrant:
    team_id: str | None  # None: org-wide
    role: Role


def parse_group_role_map(raw: Mapping[str, str]) -> dict[str, GroupGrant]:
    """``{"platform-admins": "*:admin", "team-a-devs": "team-a:developer"}`` → grants."""
    grants: dict[str, GroupGrant] = {}
    for group, value in raw.items():
        team_id, sep, role = value.rpartition(":")
        if not sep or not team_id or role not in _ROLES:
            raise ValueError(f"oidc group {group!r}: expected '<team_id>:<role>', got {value!r}")
        grants[group] = GroupGrant(None if team_id == ORG_WIDE else team_id, role)  # type: ignore[arg-type]
    return grants


@dataclass(frozen=True)
class JwtConfig:
    hs256_secret: str | None
    issuer: str = DEFAULT_ISSUER
    audience: str = DEFAULT_AUDIENCE
    oidc_jwks_url: str | None = None
    oidc_issuer: str | None = None
    oidc_audience: str | None = None
    oidc_algorithms: tuple[str, ...] = ("RS256", "ES256")
    oidc_groups_claim: str = "groups"
    oidc_group_roles: Mapping[str, GroupGrant] = field(default_factory=dict)
    leeway_s: float = 10.0

    @classmethod
    def from_settings(cls, settings: ServiceSettings) -> JwtConfig:
        return cls(
            hs256_secret=(
                settings.jwt_hs256_secret.get_secret_value()
                if settings.jwt_accept_dev_tokens
                else None
            ),
            issuer=settings.jwt_issuer,
            audience=settings.jwt_audience,
            oidc_jwks_url=settings.oidc_jwks_url,
            oidc_issuer=settings.oidc_issuer,
            oidc_audience=settings.oidc_audience or settings.jwt_audience,
            oidc_groups_claim=settings.oidc_groups_claim,
            oidc_group_roles=parse_group_role_map(settings.oidc_group_role_map),
        )


class _Binding(BaseModel):
    model_config = ConfigDict(frozen=True, extra="ignore")
    team_id: str
    role: Role


_BINDINGS = TypeAdapter(list[_Binding])
_OPTIONAL_ROLE: TypeAdapter[Role | None] = TypeAdapter(Role | None)


def issue_dev_token(
    signing: ServiceSettings | JwtConfig | str,
    subject: str,
    roles: Sequence[RoleBinding] = (),
    ttl: timedelta = timedelta(hours=1),
    *,
    name: str | None = None,
    email: str | None = None,
    org_role: Role | None = None,
    now: datetime | None = None,
) -> str:
    """An HS256 token for registry's dev login (iss/aud from the settings or config)."""
    if isinstance(signing, ServiceSettings):
        signing = JwtConfig.from_settings(signing)
    if isinstance(signing, str):
        signing = JwtConfig(hs256_secret=signing)
    if signing.hs256_secret is None:
        raise ValueError("dev tokens are disabled (no HS256 secret)")
    issued = now or datetime.now(UTC)
    claims: dict[str, Any] = {
        "sub": subject,
        "iss": signing.issuer,
        "aud": signing.audience,
        "iat": issued,
        "exp": issued + ttl,
        "roles": [{"team_id": b.team_id, "role": b.role} for b in roles],
    }
    if name is not None:
        claims["name"] = name
    if email is not None:
        claims["email"] = email
    if org_role is not None:
        claims["org_role"] = org_role
    return jwt.encode(claims, signing.hs256_secret, algorithm="HS256")


class JwtVerifier:
    """Verifies people's tokens (set as ``app.state.jwt_verifier``).

    ``verify`` may fetch the JWKS over the network (cached by ``PyJWKClient``);
    ``verify_async`` runs that path in a worker thread so the event loop never blocks."""

    def __init__(self, config: JwtConfig, jwks_client: jwt.PyJWKClient | None = None) -> None:
        if config.oidc_jwks_url and not config.oidc_issuer:
            raise ValueError("oidc_issuer is required with oidc_jwks_url")
        self.config = config
        self._jwks = jwks_client
        if self._jwks is None and config.oidc_jwks_url:
            self._jwks = jwt.PyJWKClient(
                config.oidc_jwks_url, cache_keys=True, lifespan=300, timeout=5
            )

    @classmethod
    def from_settings(cls, settings: ServiceSettings) -> JwtVerifier:
        return cls(JwtConfig.from_settings(settings))

    async def verify_async(self, token: str) -> UserPrincipal:
        if _algorithm(token) == "HS256":
            return self.verify(token)
        return await asyncio.to_thread(self.verify, token)

    def verify(self, token: str) -> UserPrincipal:
        alg = _algorithm(token)
        if alg == "HS256" and self.config.hs256_secret is not None:
            claims = self._decode(
                token, self.config.hs256_secret, "HS256", self.config.issuer, self.config.audience
            )
            return _dev_principal(claims)
        if alg in self.config.oidc_algorithms and self._jwks is not None:
            try:
                key = self._jwks.get_signing_key_from_jwt(token).key
            except jwt.PyJWKClientConnectionError as exc:
                raise InvalidToken("jwks_unavailable", str(exc)) from exc
            except jwt.PyJWKClientError as exc:  # no key with that kid
                raise InvalidToken("signature", str(exc)) from exc
            except jwt.DecodeError as exc:
                raise InvalidToken("malformed", str(exc)) from exc
            assert self.config.oidc_issuer is not None
            claims = self._decode(
                token,
                key,
                alg,
                self.config.oidc_issuer,
                self.config.oidc_audience or self.config.audience,
            )
            return self._oidc_principal(claims)
        raise InvalidToken("algorithm", f"{alg!r} is not accepted")

    def _decode(self, token: str, key: Any, alg: str, issuer: str, audience: str) -> dict[str, Any]:
        try:
            claims: dict[str, Any] = jwt.decode(
                token,
                key,
                algorithms=[alg],
                issuer=issuer,
                audience=audience,
                leeway=self.config.leeway_s,
                options={"require": ["exp", "iat", "sub", "iss", "aud"]},
            )
        except jwt.ExpiredSignatureError as exc:
            raise InvalidToken("expired") from exc
        except jwt.InvalidAudienceError as exc:
            raise InvalidToken("audience") from exc
        except jwt.InvalidIssuerError as exc:
            raise InvalidToken("issuer") from exc
        except jwt.InvalidSignatureError as exc:
            raise InvalidToken("signature") from exc
        except jwt.InvalidAlgorithmError as exc:
            raise InvalidToken("algorithm") from exc
        except (jwt.MissingRequiredClaimError, jwt.ImmatureSignatureError) as exc:
            raise InvalidToken("claims", str(exc)) from exc
        except jwt.PyJWTError as exc:
            raise InvalidToken("malformed", str(exc)) from exc
        if not isinstance(claims.get("sub"), str) or not claims["sub"]:
            raise InvalidToken("claims", "sub must be a non-empty string")
        return claims

    def _oidc_principal(self, claims: dict[str, Any]) -> UserPrincipal:
        groups = claims.get(self.config.oidc_groups_claim) or []
        if isinstance(groups, str):
            groups = [groups]
        per_team: dict[str, Role] = {}
        org_role: Role | None = None
        for group in groups:
            grant = self.config.oidc_group_roles.get(str(group))
            if grant is None:
                continue
            if grant.team_id is None:
                org_role = grant.role if not role_at_least(org_role, grant.role) else org_role
            elif not role_at_least(per_team.get(grant.team_id), grant.role):
                per_team[grant.team_id] = grant.role
        return UserPrincipal(
            user_id=claims["sub"],
            roles=tuple(RoleBinding(t, r) for t, r in sorted(per_team.items())),
            org_role=org_role,
            name=_opt_str(claims.get("name") or claims.get("preferred_username")),
            email=_opt_str(claims.get("email")),
        )


def verify_token(token: str, config: JwtConfig) -> UserPrincipal:
    """One-off verification (a long-lived ``JwtVerifier`` keeps the JWKS cache)."""
    return JwtVerifier(config).verify(token)


def _algorithm(token: str) -> str:
    try:
        header = jwt.get_unverified_header(token)
    except jwt.PyJWTError as exc:
        raise InvalidToken("malformed", str(exc)) from exc
    alg = header.get("alg")
    if not isinstance(alg, str):
        raise InvalidToken("malformed", "no alg")
    return alg


def _dev_principal(claims: dict[str, Any]) -> UserPrincipal:
    try:
        bindings = _BINDINGS.validate_python(claims.get("roles") or [])
        org_role = _OPTIONAL_ROLE.validate_python(claims.get("org_role"))
    except ValidationError as exc:
        raise InvalidToken("claims", "roles/org_role are not valid role bindings") from exc
    return UserPrincipal(
        user_id=claims["sub"],
        roles=tuple(RoleBinding(b.team_id, b.role) for b in bindings),
        org_role=org_role,
        name=_opt_str(claims.get("name")),
        email=_opt_str(claims.get("email")),
    )


def _opt_str(value: object) -> str | None:
    return value if isinstance(value, str) else None
