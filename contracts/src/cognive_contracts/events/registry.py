"""Events published by registry: teams, agents, API keys, users and role bindings.
Stable since the registry service landed (issue 4).

``*.updated`` events carry the whole new state, not a diff, so that a consumer's
projection is a plain upsert and a missed intermediate update cannot corrupt it.
"""

from __future__ import annotations

from typing import Any

from pydantic import AwareDatetime

from cognive_contracts.events.base import (
    ApiKeyScope,
    Environment,
    EventPayload,
    Id,
    Name,
    Role,
    Sha256Hex,
)


class _TeamState(EventPayload):
    contract_status = "stable"

    team_id: Id
    name: Name
    description: str | None = None


class TeamCreatedV1(_TeamState):
    event_type = "registry.team.created.v1"


class TeamUpdatedV1(_TeamState):
    event_type = "registry.team.updated.v1"


class _AgentState(EventPayload):
    contract_status = "stable"

    agent_id: Id
    team_id: Id
    name: Name
    description: str | None = None
    # Open set (langchain, crewai, autogen, openai-agents, custom, ...): a new framework
    # must not need a contract version.
    framework: Name
    version: str | None = None
    environment: Environment
    # Glob patterns such as "gpt-4o*"; empty means no model is allowed.
    allowed_models: list[str] = []
    approved_tools: list[str] = []
    tags: list[str] = []
    metadata: dict[str, Any] = {}


class AgentRegisteredV1(_AgentState):
    event_type = "registry.agent.registered.v1"


class AgentUpdatedV1(_AgentState):
    event_type = "registry.agent.updated.v1"


class AgentRetiredV1(EventPayload):
    contract_status = "stable"

    event_type = "registry.agent.retired.v1"

    agent_id: Id
    team_id: Id
    retired_at: AwareDatetime
    reason: str | None = None


class ApiKeyIssuedV1(EventPayload):
    """Everything a service needs to authenticate the key itself; the secret only as its
    SHA-256, never in clear."""

    contract_status = "stable"

    event_type = "registry.api_key.issued.v1"

    key_id: Id
    name: Name
    # The non-secret leading part shown in listings, e.g. "ck_prod_4f9a".
    prefix: str
    secret_sha256: Sha256Hex
    team_id: Id
    scopes: list[ApiKeyScope]
    environment: Environment | None = None
    issued_at: AwareDatetime
    expires_at: AwareDatetime | None = None


class ApiKeyRevokedV1(EventPayload):
    contract_status = "stable"

    event_type = "registry.api_key.revoked.v1"

    key_id: Id
    team_id: Id
    revoked_at: AwareDatetime
    reason: str | None = None


class UserCreatedV1(EventPayload):
    contract_status = "stable"

    event_type = "registry.user.created.v1"

    user_id: Id
    email: str
    display_name: str | None = None
    # The OIDC subject when the user came from the identity provider.
    external_subject: str | None = None
    # An organisation-wide role (applies to every team), e.g. the first admin.
    org_role: Role | None = None


class _RoleBinding(EventPayload):
    contract_status = "stable"

    user_id: Id
    team_id: Id
    role: Role


class RoleGrantedV1(_RoleBinding):
    event_type = "registry.role.granted.v1"


class RoleRevokedV1(_RoleBinding):
    event_type = "registry.role.revoked.v1"
