"""HTTP bodies of the notification service: channels (webhook, e-mail, Slack format),
subscriptions and the delivery log. Secrets are returned once, on creation or rotation."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import AnyHttpUrl, AwareDatetime, Field, StringConstraints

from cognive_contracts.events.base import Id, Name
from cognive_contracts.events.notification import ChannelKind
from cognive_contracts.http.bodies import RequestBody, ResponseBody

Email = Annotated[str, StringConstraints(pattern=r"^[^@\s]+@[^@\s]+$", max_length=320)]
HeaderName = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9-]{1,100}$")]


_Body = RequestBody
_Out = ResponseBody


class ChannelCreate(_Body):
    """`url` for webhook and Slack channels, `recipients` for e-mail."""

    team_id: Id
    kind: ChannelKind
    name: Name
    url: AnyHttpUrl | None = None
    headers: dict[HeaderName, Annotated[str, StringConstraints(max_length=1000)]] = Field(
        default_factory=dict, max_length=20
    )
    recipients: list[Email] = Field(default_factory=list, max_length=50)


class ChannelUpdate(_Body):
    name: Name | None = None
    url: AnyHttpUrl | None = None
    headers: dict[HeaderName, Annotated[str, StringConstraints(max_length=1000)]] | None = None
    recipients: list[Email] | None = Field(default=None, max_length=50)
    enabled: Literal[True] | None = None


class ChannelOut(_Out):
    channel_id: str
    team_id: str
    kind: ChannelKind
    name: str
    target: str | None
    disabled: bool
    disabled_reason: str | None
    created_at: AwareDatetime
    updated_at: AwareDatetime


class ChannelCreated(ChannelOut):
    """The only time a webhook's signing secret is shown."""

    signing_secret: str | None = None


class SecretRotated(_Out):
    channel_id: str
    signing_secret: str
    previous_valid_until: AwareDatetime


class ChannelTestResult(_Out):
    delivered: bool
    status_code: int | None
    latency_ms: int
    error: str | None


class SubscriptionCreate(_Body):
    channel_id: Id
    event_types: list[Name] = Field(min_length=1, max_length=20)
    filter_team_ids: list[Id] = Field(default_factory=list, max_length=100)
    filter_agent_ids: list[Id] = Field(default_factory=list, max_length=500)


class SubscriptionOut(_Out):
    subscription_id: str
    channel_id: str
    team_id: str
    event_types: list[str]
    filter_team_ids: list[str]
    filter_agent_ids: list[str]
    created_at: AwareDatetime


class AttemptOut(_Out):
    attempt: int
    at: AwareDatetime
    outcome: str
    status_code: int | None
    latency_ms: int | None
    error: str | None


class DeliveryOut(_Out):
    delivery_id: str
    event_id: str
    event_type: str
    channel_id: str
    subscription_id: str | None
    team_id: str | None
    status: Literal["pending", "succeeded", "failed"]
    attempts: int
    next_attempt_at: AwareDatetime | None
    last_status_code: int | None
    last_error: str | None
    created_at: AwareDatetime
    updated_at: AwareDatetime
    attempt_log: list[AttemptOut] | None = None


NOTIFICATION_HTTP_MODELS = (
    ChannelCreate,
    ChannelUpdate,
    ChannelOut,
    ChannelCreated,
    SecretRotated,
    ChannelTestResult,
    SubscriptionCreate,
    SubscriptionOut,
    AttemptOut,
    DeliveryOut,
)
