"""HTTP bodies of the registry service: teams, agents, API keys, users and role bindings,
the development login and the audit trail."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import AwareDatetime, Field, StringConstraints

from cognive_contracts.events.base import ApiKeyScope, Environment, Name, Role
from cognive_contracts.http.bodies import RequestBody, ResponseBody

# Team ids are slugs chosen by people ("cx", "search-infra"): they appear in keys' team
# binding, budgets and dashboards, so they should read well.
TeamId = Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9-]{0,62}$")]
ModelPattern = Annotated[str, StringConstraints(min_length=1, max_length=200)]


_Body = RequestBody
_Out = ResponseBody


# ---------------------------------------------------------------- teams
class TeamCreate(_Body):
    team_id: TeamId
    name: Name
    description: str | None = None


class TeamUpdate(_Body):
    name: Name | None = None
    description: str | None = None


class TeamOut(_Out):
    team_id: str
    name: str
    description: str | None
    created_at: AwareDatetime
    updated_at: AwareDatetime


# ---------------------------------------------------------------- agents
class AgentRegister(_Body):
    """Registering is idempotent on (team, name, environment): the SDK calls it at every
    start. With an API key the team is the key's; a person names it."""

    name: Name
    team_id: TeamId | None = None
    environment: Environment = "dev"
    framework: Name = "custom"
    description: str | None = None
    version: str | None = None
    # Glob patterns ("gpt-4o*"); empty means no model is allowed (ingest and budget
    # enforce it), so an agent must name what it may call.
    allowed_models: list[ModelPattern] = Field(default_factory=list, max_length=200)
    approved_tools: list[Name] = Field(default_factory=list, max_length=500)
    tags: list[Name] = Field(default_factory=list, max_length=50)
    metadata: dict[str, Any] = Field(default_factory=dict)


class AgentUpdate(_Body):
    description: str | None = None
    framework: Name | None = None
    version: str | None = None
    allowed_models: list[ModelPattern] | None = None
    approved_tools: list[Name] | None = None
    tags: list[Name] | None = None
    metadata: dict[str, Any] | None = None


class AgentRetire(_Body):
    reason: str | None = None


class AgentOut(_Out):
    agent_id: str
    team_id: str
    name: str
    environment: Environment
    framework: str
    description: str | None
    version: str | None
    allowed_models: list[str]
    approved_tools: list[str]
    tags: list[str]
    metadata: dict[str, Any]
    status: str
    created_at: AwareDatetime
    updated_at: AwareDatetime


# ---------------------------------------------------------------- API keys
class ApiKeyCreate(_Body):
    team_id: TeamId
    name: Name
    scopes: list[ApiKeyScope] = Field(min_length=1)
    environment: Environment = "dev"
    expires_at: AwareDatetime | None = None


class ApiKeyOut(_Out):
    key_id: str
    team_id: str
    name: str
    prefix: str
    scopes: list[str]
    environment: str | None
    issued_at: AwareDatetime
    expires_at: AwareDatetime | None
    revoked_at: AwareDatetime | None


class ApiKeyIssued(ApiKeyOut):
    """The only time the secret is shown."""

    api_key: str


class ApiKeyRevoke(_Body):
    reason: str | None = None


# ---------------------------------------------------------------- users and roles
class UserCreate(_Body):
    email: Annotated[str, StringConstraints(pattern=r"^[^@\s]+@[^@\s]+$", max_length=320)]
    display_name: str | None = None
    org_role: Role | None = None


class RoleGrant(_Body):
    team_id: TeamId
    role: Role


class RoleBindingOut(_Out):
    team_id: str
    role: Role


class UserOut(_Out):
    user_id: str
    email: str
    display_name: str | None
    org_role: Role | None
    roles: list[RoleBindingOut]
    created_at: AwareDatetime


# ---------------------------------------------------------------- auth
class DevLogin(_Body):
    email: str


class TokenOut(_Out):
    access_token: str
    token_type: str = "Bearer"  # noqa: S105 - the scheme name, not a secret
    expires_in: int


class MeOut(_Out):
    subject: str
    kind: str
    team_id: str | None = None
    scopes: list[str] = []
    org_role: Role | None = None
    roles: list[RoleBindingOut] = []


# ---------------------------------------------------------------- audit
class AuditEntryOut(_Out):
    position: int
    event_id: str
    type: str
    source: str
    actor: str | None
    team_id: str | None
    subject: str
    occurred_at: AwareDatetime
    data: dict[str, Any]
    prev_hash: str
    hash: str


class AuditVerification(_Out):
    ok: bool
    entries: int
    first_broken_position: int | None = None
    detail: str | None = None


REGISTRY_HTTP_MODELS = (
    TeamCreate,
    TeamUpdate,
    TeamOut,
    AgentRegister,
    AgentUpdate,
    AgentRetire,
    AgentOut,
    ApiKeyCreate,
    ApiKeyOut,
    ApiKeyIssued,
    ApiKeyRevoke,
    UserCreate,
    RoleGrant,
    RoleBindingOut,
    UserOut,
    DevLogin,
    TokenOut,
    MeOut,
    AuditEntryOut,
    AuditVerification,
)
