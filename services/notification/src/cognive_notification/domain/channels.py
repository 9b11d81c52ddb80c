"""Channels and subscriptions: folded from their streams; decisions return events.

Channel events carry no secret and no full URL (a Slack webhook URL is itself a
credential): `target` is a redacted description. The delivery configuration lives
encrypted beside the log (see the ADR), written in the same transaction."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from urllib.parse import urlsplit

from cognive_contracts.events.base import EventPayload
from cognive_contracts.events.notification import (
    ChannelCreatedV1,
    ChannelDisabledV1,
    ChannelKind,
    ChannelUpdatedV1,
    SubscriptionCreatedV1,
    SubscriptionDeletedV1,
)
from cognive_runtime.domain_errors import Conflict, DomainError, NotFound

ALERT_TYPES = frozenset(
    {
        "budget.threshold.crossed.v1",
        "budget.exceeded.v1",
        "budget.call.blocked.v1",
        "ingest.policy.violated.v1",
    }
)


@dataclass(frozen=True)
class Channel:
    channel_id: str
    team_id: str
    kind: ChannelKind
    name: str
    target: str | None
    disabled: bool = False


@dataclass(frozen=True)
class Subscription:
    subscription_id: str
    channel_id: str
    team_id: str
    event_types: tuple[str, ...]
    deleted: bool = False


def channel_stream(channel_id: str) -> str:
    return f"channel-{channel_id}"


def subscription_stream(subscription_id: str) -> str:
    return f"subscription-{subscription_id}"


def redact_url(url: str, kind: ChannelKind) -> str:
    parts = urlsplit(url)
    if kind == "slack":
        return f"{parts.scheme}://{parts.hostname}/…"
    return f"{parts.scheme}://{parts.netloc.rsplit('@', 1)[-1]}{parts.path[:40]}"


def fold_channel(events: list[EventPayload]) -> Channel | None:
    channel: Channel | None = None
    for e in events:
        if isinstance(e, ChannelCreatedV1):
            channel = Channel(e.channel_id, e.team_id, e.kind, e.name, e.target)
        elif isinstance(e, ChannelUpdatedV1) and channel is not None:
            channel = replace(channel, name=e.name, target=e.target, disabled=False)
        elif isinstance(e, ChannelDisabledV1) and channel is not None:
            channel = replace(channel, disabled=True)
    return channel


def create_channel(
    current: Channel | None,
    channel_id: str,
    team_id: str,
    kind: ChannelKind,
    name: str,
    target: str | None,
) -> list[EventPayload]:
    if current is not None:
        raise Conflict(f"channel {channel_id} exists", field="channel_id")
    return [
        ChannelCreatedV1(
            channel_id=channel_id, team_id=team_id, kind=kind, name=name, target=target
        )
    ]


def update_channel(
    current: Channel | None,
    name: str | None,
    target: str | None,
    secret_rotated: bool = False,
    enable: bool = False,
) -> list[EventPayload]:
    """Renaming, a new target, a rotated secret, or enabling a disabled channel again."""
    if current is None:
        raise NotFound("channel not found")
    new_name = name or current.name
    new_target = target if target is not None else current.target
    unchanged = new_name == current.name and new_target == current.target
    if unchanged and not secret_rotated and not (enable and current.disabled):
        return []
    return [
        ChannelUpdatedV1(
            channel_id=current.channel_id,
            team_id=current.team_id,
            kind=current.kind,
            name=new_name,
            target=new_target,
            secret_rotated=secret_rotated,
        )
    ]


def disable_channel(
    current: Channel | None, reason: str, detail: str | None, at: datetime
) -> list[EventPayload]:
    if current is None:
        raise NotFound("channel not found")
    if current.disabled:
        return []
    return [
        ChannelDisabledV1(
            channel_id=current.channel_id,
            team_id=current.team_id,
            reason=reason,
            detail=detail,
            disabled_at=at,
        )
    ]


def fold_subscription(events: list[EventPayload]) -> Subscription | None:
    sub: Subscription | None = None
    for e in events:
        if isinstance(e, SubscriptionCreatedV1):
            sub = Subscription(e.subscription_id, e.channel_id, e.team_id, tuple(e.event_types))
        elif isinstance(e, SubscriptionDeletedV1) and sub is not None:
            sub = replace(sub, deleted=True)
    return sub


def create_subscription(
    current: Subscription | None,
    subscription_id: str,
    channel: Channel | None,
    event_types: list[str],
    filter_team_ids: list[str],
    filter_agent_ids: list[str],
) -> list[EventPayload]:
    if current is not None:
        raise Conflict(f"subscription {subscription_id} exists", field="subscription_id")
    if channel is None:
        raise DomainError("no such channel", field="channel_id")
    unknown = sorted(set(event_types) - ALERT_TYPES)
    if unknown:
        raise DomainError(f"not a notifiable event type: {unknown[0]}", field="event_types")
    return [
        SubscriptionCreatedV1(
            subscription_id=subscription_id,
            channel_id=channel.channel_id,
            team_id=channel.team_id,
            event_types=sorted(set(event_types)),
            filter_team_ids=filter_team_ids,
            filter_agent_ids=filter_agent_ids,
        )
    ]


def delete_subscription(current: Subscription | None) -> list[EventPayload]:
    if current is None:
        raise NotFound("subscription not found")
    if current.deleted:
        return []
    return [
        SubscriptionDeletedV1(
            subscription_id=current.subscription_id,
            channel_id=current.channel_id,
            team_id=current.team_id,
        )
    ]
