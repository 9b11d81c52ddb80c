"""What `cognive-admin cost ...` needs to know about cost: its settings and read models,
and how to fold its streams for `state-at`."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from cognive_cost.bootstrap import projections as _projections
from cognive_cost.settings import CostSettings
from cognive_runtime.db.migrations import Migration
from cognive_runtime.eventlog import RecordedEvent
from cognive_runtime.projections import Projection


def projections() -> list[Projection]:
    return list(_projections())


def migrations() -> list[Migration]:
    from cognive_cost.bootstrap import migrations as _migrations

    return _migrations()


def settings() -> CostSettings:
    return CostSettings()


def fold(stream_id: str, events: Sequence[RecordedEvent]) -> Any:
    """A call's price as of the moment (priced, then repriced deltas); a price entry."""
    if stream_id.startswith("call-"):
        state: dict[str, Any] = {}
        for e in events:
            if e.type == "cost.llm_call.repriced.v1":
                state |= {
                    "total_micros": e.data["new_total_micros"],
                    "price": e.data["price"],
                    "breakdown": e.data["breakdown"],
                }
            else:
                state |= e.data | {"status": e.type.split(".")[2]}
        return state
    return events[-1].data if events else None
