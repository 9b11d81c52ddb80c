"""Who is calling: an API key bound to a team, or a person with team role bindings.

How a person passes a scope check (routes declare scopes; people hold roles):

=========================================================  ================
scope                                                      least role
=========================================================  ================
``read``                                                   ``viewer``
``events:write``, ``agents:register``, ``budget:check``    ``developer``
``admin``                                                  ``admin``
=========================================================  ================

A person's scopes come from their highest role in any team, so a scope check says only
"may do this kind of thing somewhere": a route touching one team's data must still call
``can_access_team`` / ``ensure_team_role`` (or use ``require_role``). An org-wide role
(``org_role``) applies to every team, so an org admin passes every check everywhere. An
API key is bound to one team; its ``admin`` scope implies its other scopes but never
another team.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Final, Literal

from cognive_contracts.events.base import Role
from cognive_runtime.auth.api_key_format import Scope, scopes_grant

ROLE_ORDER: Final[dict[Role, int]] = {"viewer": 0, "developer": 1, "team_lead": 2, "admin": 3}

SCOPE_MIN_ROLE: Final[dict[Scope, Role]] = {
    "read": "viewer",
    "events:write": "developer",
    "agents:register": "developer",
    "budget:check": "developer",
    "admin": "admin",
}


def role_at_least(role: Role | None, minimum: Role) -> bool:
    return role is not None and ROLE_ORDER[role] >= ROLE_ORDER[minimum]


@dataclass(frozen=True, slots=True)
class RoleBinding:
    team_id: str
    role: Role


@dataclass(frozen=True, slots=True)
class ApiKeyPrincipal:
    key_id: str
    team_id: str
    scopes: frozenset[Scope]
    prefix: str = ""
    expires_at: datetime | None = None
    kind: Literal["api_key"] = "api_key"

    @property
    def subject(self) -> str:
        """The ``actor`` recorded in event metadata."""
        return f"api_key:{self.key_id}"

    def has_scope(self, scope: Scope) -> bool:
        return scopes_grant(self.scopes, scope)

    def can_access_team(self, team_id: str) -> bool:
        return team_id == self.team_id


@dataclass(frozen=True, slots=True)
class UserPrincipal:
    user_id: str
    roles: tuple[RoleBinding, ...] = ()
    org_role: Role | None = None
    name: str | None = None
    email: str | None = None
    kind: Literal["user"] = "user"

    @property
    def subject(self) -> str:
        return f"user:{self.user_id}"

    @property
    def is_org_admin(self) -> bool:
        return self.org_role == "admin"

    def role_in(self, team_id: str) -> Role | None:
        """The person's effective role in ``team_id``: the higher of an org-wide role (which
        applies to every team) and the person's bindings to that team."""
        best: Role | None = self.org_role
        for binding in self.roles:
            if binding.team_id == team_id and not role_at_least(best, binding.role):
                best = binding.role
        return best

    @property
    def highest_role(self) -> Role | None:
        candidates: list[Role] = [b.role for b in self.roles]
        if self.org_role is not None:
            candidates.append(self.org_role)
        return max(candidates, key=ROLE_ORDER.__getitem__, default=None)

    def has_scope(self, scope: Scope) -> bool:
        return role_at_least(self.highest_role, SCOPE_MIN_ROLE[scope])

    def can_access_team(self, team_id: str) -> bool:
        return self.role_in(team_id) is not None

    def has_role(self, team_id: str, minimum: Role) -> bool:
        return role_at_least(self.role_in(team_id), minimum)


Principal = ApiKeyPrincipal | UserPrincipal
