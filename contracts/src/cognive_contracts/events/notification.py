"""Events published by notification: channels, subscriptions and delivery outcomes.

Channel events never carry secrets (signing secrets, SMTP passwords) nor a Slack
webhook URL, which is itself a credential; ``target`` is a redacted description.
"""

from __future__ import annotations

from typing import Annotated, Literal
from uuid import UUID

from pydantic import AwareDatetime, Field

from cognive_contracts.events.base import EventPayload, Id, Name, NonNegInt

ChannelKind = Literal["webhook", "email", "slack"]


class _ChannelState(EventPayload):
    channel_id: Id
    team_id: Id
    kind: ChannelKind
    name: Name
    # Redacted: a webhook's scheme and host, or the e-mail recipients.
    target: str | None = None


class ChannelCreatedV1(_ChannelState):
    event_type = "notification.channel.created.v1"
    contract_status = "stable"


class ChannelUpdatedV1(_ChannelState):
    event_type = "notification.channel.updated.v1"
    contract_status = "stable"

    # True when this update rotated the signing secret (the old one stays valid for a
    # grace period).
    secret_rotated: bool = False


class ChannelDisabledV1(EventPayload):
    event_type = "notification.channel.disabled.v1"
    contract_status = "stable"

    channel_id: Id
    team_id: Id
    reason: Literal["manual", "failing"]
    detail: str | None = None
    disabled_at: AwareDatetime


class SubscriptionCreatedV1(EventPayload):
    event_type = "notification.subscription.created.v1"
    contract_status = "stable"

    subscription_id: Id
    channel_id: Id
    team_id: Id
    event_types: list[str]
    # Empty filter lists mean "all within the subscription's team".
    filter_team_ids: list[Id] = []
    filter_agent_ids: list[Id] = []


class SubscriptionDeletedV1(EventPayload):
    event_type = "notification.subscription.deleted.v1"
    contract_status = "stable"

    subscription_id: Id
    channel_id: Id
    team_id: Id


class _DeliveryAttempt(EventPayload):
    # Stable across retries (the Standard Webhooks `webhook-id`).
    delivery_id: Id
    channel_id: Id
    subscription_id: Id | None = None
    team_id: Id | None = None
    # The event that was delivered (its id and routing key).
    event_id: UUID
    delivered_type: str
    attempt: Annotated[int, Field(ge=1)]
    # HTTP status of a webhook; None for e-mail or when no response came.
    status_code: int | None = None
    latency_ms: NonNegInt | None = None
    occurred_at: AwareDatetime


class DeliverySucceededV1(_DeliveryAttempt):
    event_type = "notification.delivery.succeeded.v1"
    contract_status = "stable"


class DeliveryFailedV1(_DeliveryAttempt):
    event_type = "notification.delivery.failed.v1"
    contract_status = "stable"

    error: str
    # True when no retry follows (schedule exhausted or channel disabled).
    final: bool = False
    next_attempt_at: AwareDatetime | None = None
