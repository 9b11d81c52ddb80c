"""People and their role bindings per team (viewer < developer < team_lead < admin)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field

from cognive_contracts.events.base import EventPayload, Role
from cognive_contracts.events.registry import RoleGrantedV1, RoleRevokedV1, UserCreatedV1
from cognive_runtime.domain_errors import Conflict, NotFound

_USER_NAMESPACE = uuid.UUID("0f6a0d52-7d4e-4a64-8f55-0d0c6c1f7a3b")


def user_id_for(email: str) -> str:
    """One user per e-mail address, whatever the casing."""
    return str(uuid.uuid5(_USER_NAMESPACE, email.strip().lower()))


@dataclass(frozen=True)
class User:
    user_id: str
    email: str
    org_role: Role | None
    roles: dict[str, Role] = field(default_factory=dict)


def fold_user(events: list[EventPayload]) -> User | None:
    user: User | None = None
    for event in events:
        if isinstance(event, UserCreatedV1):
            user = User(event.user_id, event.email, event.org_role)
        elif isinstance(event, RoleGrantedV1) and user is not None:
            user = User(
                user.user_id, user.email, user.org_role, {**user.roles, event.team_id: event.role}
            )
        elif isinstance(event, RoleRevokedV1) and user is not None:
            roles = {t: r for t, r in user.roles.items() if t != event.team_id}
            user = User(user.user_id, user.email, user.org_role, roles)
    return user


def create_user(
    current: User | None, email: str, display_name: str | None, org_role: Role | None
) -> list[EventPayload]:
    if current is not None:
        raise Conflict(f"user {email} exists", field="email")
    return [
        UserCreatedV1(
            user_id=user_id_for(email),
            email=email.strip().lower(),
            display_name=display_name,
            org_role=org_role,
        )
    ]


def grant_role(current: User | None, team_id: str, role: Role) -> list[EventPayload]:
    """One binding per (user, team): granting another role replaces it."""
    if current is None:
        raise NotFound("user not found")
    if current.roles.get(team_id) == role:
        return []
    return [RoleGrantedV1(user_id=current.user_id, team_id=team_id, role=role)]


def revoke_role(current: User | None, team_id: str) -> list[EventPayload]:
    if current is None:
        raise NotFound("user not found")
    role = current.roles.get(team_id)
    if role is None:
        raise NotFound(f"user has no role in team {team_id}")
    return [RoleRevokedV1(user_id=current.user_id, team_id=team_id, role=role)]
