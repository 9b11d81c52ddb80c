"""What `cognive-admin notification ...` needs to know: its settings and read models."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from cognive_notification.bootstrap import projections as _projections
from cognive_notification.settings import NotificationSettings
from cognive_runtime.db.migrations import Migration
from cognive_runtime.eventlog import RecordedEvent
from cognive_runtime.projections import Projection


def projections() -> list[Projection]:
    return list(_projections())


def migrations() -> list[Migration]:
    from cognive_notification.bootstrap import migrations as _migrations

    return _migrations()


def settings() -> NotificationSettings:
    return NotificationSettings()


def fold(stream_id: str, events: Sequence[RecordedEvent]) -> Any:
    from cognive_runtime.admin.service_admin import default_fold

    return default_fold(events)
