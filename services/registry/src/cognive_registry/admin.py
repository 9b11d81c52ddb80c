"""What `cognive-admin registry ...` needs to know about registry: its settings and read models."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from cognive_registry.bootstrap import projections as _projections
from cognive_registry.settings import RegistrySettings
from cognive_runtime.db.migrations import Migration
from cognive_runtime.eventlog import RecordedEvent
from cognive_runtime.projections import Projection


def projections() -> list[Projection]:
    return list(_projections())


def migrations() -> list[Migration]:
    from cognive_registry.bootstrap import migrations as _migrations

    return _migrations()


def settings() -> RegistrySettings:
    return RegistrySettings()


def fold(stream_id: str, events: Sequence[RecordedEvent]) -> Any:
    from cognive_runtime.admin.service_admin import default_fold

    return default_fold(events)
