"""What `cognive-admin budget ...` needs to know about budget: its settings and read models,
and how to fold its streams for `state-at`."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from cognive_budget.bootstrap import projections as _projections
from cognive_budget.settings import BudgetSettings
from cognive_runtime.db.migrations import Migration
from cognive_runtime.eventlog import RecordedEvent
from cognive_runtime.projections import Projection


def projections() -> list[Projection]:
    return list(_projections())


def migrations() -> list[Migration]:
    from cognive_budget.bootstrap import migrations as _migrations

    return _migrations()


def settings() -> BudgetSettings:
    return BudgetSettings()


def fold(stream_id: str, events: Sequence[RecordedEvent]) -> Any:
    """A policy's state (limit, mode, period it was in); a call's spend records."""
    from cognive_budget.domain.policies import fold_policy
    from cognive_contracts.events import model_for

    if stream_id.startswith("policy-"):
        policy = fold_policy([model_for(e.type).model_validate(e.data) for e in events])
        return (
            None
            if policy is None
            else {
                **policy.state_fields(),
                "archived": policy.archived,
                "current_period_start": policy.current_period_start,
            }
        )
    return [{"type": e.type, **e.data} for e in events]
