"""What notification's routes need, as typed FastAPI dependencies."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Annotated

import asyncpg
from fastapi import Depends, Request

from cognive_notification.config_store import ConfigStore
from cognive_notification.delivery.sender import Sender
from cognive_notification.settings import NotificationSettings
from cognive_runtime.projections import Projection


@dataclass
class NotificationState:
    pool: asyncpg.Pool
    settings: NotificationSettings
    projections: Sequence[Projection]
    config: ConfigStore
    sender: Sender


async def notification_state(request: Request) -> NotificationState:
    state: NotificationState = request.app.state.notification
    return state


State = Annotated[NotificationState, Depends(notification_state)]
