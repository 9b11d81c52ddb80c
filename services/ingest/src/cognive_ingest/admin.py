"""What `cognive-admin ingest ...` needs to know about ingest: its settings and read models."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from cognive_ingest.projections import RunsProjection, ViolationsProjection
from cognive_ingest.settings import IngestSettings
from cognive_runtime.db.migrations import Migration
from cognive_runtime.eventlog import RecordedEvent
from cognive_runtime.projections import Projection


def projections() -> list[Projection]:
    return [RunsProjection(), ViolationsProjection()]


def migrations() -> list[Migration]:
    from cognive_ingest.bootstrap import migrations as _migrations

    return _migrations()


def settings() -> IngestSettings:
    return IngestSettings()


def fold(stream_id: str, events: Sequence[RecordedEvent]) -> Any:
    from cognive_runtime.admin.service_admin import default_fold

    return default_fold(events)
