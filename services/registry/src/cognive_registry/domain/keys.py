"""API keys: issued once (the secret leaves only in the response), revoked for good."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from cognive_contracts.events.base import EventPayload
from cognive_contracts.events.registry import ApiKeyIssuedV1, ApiKeyRevokedV1
from cognive_runtime.domain_errors import DomainError, NotFound


@dataclass(frozen=True)
class KeyState:
    key_id: str
    team_id: str
    revoked: bool


def fold_key(events: list[EventPayload]) -> KeyState | None:
    state: KeyState | None = None
    for event in events:
        if isinstance(event, ApiKeyIssuedV1):
            state = KeyState(event.key_id, event.team_id, revoked=False)
        elif isinstance(event, ApiKeyRevokedV1) and state is not None:
            state = KeyState(state.key_id, state.team_id, revoked=True)
    return state


def check_expiry(expires_at: datetime | None, now: datetime) -> None:
    if expires_at is not None and expires_at <= now:
        raise DomainError("expires_at must be in the future", field="expires_at")


def revoke_key(
    current: KeyState | None, key_id: str, at: datetime, reason: str | None
) -> list[EventPayload]:
    if current is None:
        raise NotFound(f"api key {key_id} not found")
    if current.revoked:
        return []
    return [ApiKeyRevokedV1(key_id=key_id, team_id=current.team_id, revoked_at=at, reason=reason)]
