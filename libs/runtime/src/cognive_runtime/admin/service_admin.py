"""What a service tells `cognive-admin` about itself (`cognive_<service>/admin.py`)."""

from __future__ import annotations

import importlib
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from cognive_runtime.db.migrations import Migration
from cognive_runtime.eventlog import RecordedEvent
from cognive_runtime.projections import Projection
from cognive_runtime.settings import ServiceSettings

SERVICES = ("registry", "ingest", "cost", "budget", "notification")


class ServiceAdmin(Protocol):
    def settings(self) -> ServiceSettings: ...

    def projections(self) -> Sequence[Projection]: ...

    def fold(self, stream_id: str, events: Sequence[RecordedEvent]) -> Any: ...


@dataclass(frozen=True)
class Loaded:
    name: str
    module: Any

    def settings(self) -> ServiceSettings:
        settings: ServiceSettings = self.module.settings()
        return settings

    def projections(self) -> list[Projection]:
        return list(self.module.projections())

    def migrations(self) -> list[Migration]:
        return list(self.module.migrations())

    def fold(self, stream_id: str, events: Sequence[RecordedEvent]) -> Any:
        folder = getattr(self.module, "fold", None)
        if folder is None:
            return default_fold(events)
        return folder(stream_id, events)


def load(service: str) -> Loaded:
    if service not in SERVICES:
        raise ValueError(f"unknown service {service!r}; one of {', '.join(SERVICES)}")
    return Loaded(service, importlib.import_module(f"cognive_{service}.admin"))


def default_fold(events: Sequence[RecordedEvent]) -> dict[str, Any]:
    """Without a service-specific fold: the fields of the stream's events merged in order
    (what the latest event of each field said), and the last event's type."""
    state: dict[str, Any] = {}
    for event in events:
        state.update(event.data)
    return {"state": state, "last_type": events[-1].type if events else None}
