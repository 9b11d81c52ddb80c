"""How priced calls change the ledger: pure planning of one consumed batch.

The handler loads the counters a batch touches (locked), this module folds the calls
into them in order and says which alert lines each crossing call reaches; the handler
writes the result. `budget.spend.applied` is budget's private record of each change (it
does not leave the service): the Redis counters and any rebuild are derived from it."""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Final

from pydantic import AwareDatetime, BaseModel, ConfigDict

from cognive_budget.domain.periods import PeriodBounds, bounds_for
from cognive_budget.domain.policies import Policy
from cognive_budget.domain.scope import CallScope, applicable
from cognive_budget.domain.thresholds import crossed
from cognive_contracts.events.base import EventPayload
from cognive_contracts.events.budget import BudgetExceededV1, BudgetThresholdCrossedV1

SPEND_APPLIED: Final = "budget.spend.applied"
# budget.exceeded.v1 is guarded like a threshold, under this marker.
EXCEEDED_MARK: Final = 0
_NAMESPACE: Final = uuid.UUID("0d7d2f7e-3f0a-4d55-9d1d-7f6f0b8a6a31")
# Redis keeps a per-run counter this long after its last change.
RUN_COUNTER_TTL: Final = timedelta(days=7)


class _Private(BaseModel):
    model_config = ConfigDict(frozen=True, extra="ignore")


class CounterChange(_Private):
    policy_id: str
    period_key: str
    period_start: AwareDatetime
    period_end: AwareDatetime | None
    spent_micros: int
    version: int


class SpendApplied(_Private):
    call_id: str
    source: str
    amount_micros: int
    reservation_id: str | None
    agent_id: str
    team_id: str | None
    run_id: str | None
    model: str
    occurred_at: AwareDatetime
    counters: list[CounterChange]


@dataclass(frozen=True, slots=True)
class Spend:
    """One consumed call: a priced call's total, or a repricing's (signed) delta."""

    event_id: uuid.UUID
    call_id: str
    source: str
    amount_micros: int
    reservation_id: str | None
    scope: CallScope
    model: str
    occurred_at: datetime


@dataclass(slots=True)
class Counter:
    policy_id: str
    period_key: str
    period_start: datetime
    period_end: datetime | None
    spent_micros: int = 0
    calls: int = 0
    version: int = 0
    touched: bool = field(default=False)


@dataclass(frozen=True, slots=True)
class Alert:
    policy_id: str
    period_key: str
    # The threshold percent, or EXCEEDED_MARK.
    mark: int
    event: EventPayload
    # The consumed event that caused it (its trace continues in the alert).
    cause: uuid.UUID


@dataclass
class Plan:
    applied: list[SpendApplied]
    alerts: list[Alert]


def counters_for(spend: Spend, policies: Iterable[Policy]) -> list[tuple[Policy, PeriodBounds]]:
    found: list[tuple[Policy, PeriodBounds]] = []
    for policy in applicable(policies, spend.scope):
        bounds = bounds_for(policy.period, policy.timezone, spend.occurred_at, spend.scope.run_id)
        if bounds is not None:
            found.append((policy, bounds))
    return found


def plan(
    spends: Sequence[Spend],
    policies: Sequence[Policy],
    counters: dict[tuple[str, str], Counter],
) -> Plan:
    """Fold `spends` in order into `counters` (mutated: the handler writes them back)."""
    result = Plan([], [])
    for spend in spends:
        changes: list[CounterChange] = []
        for policy, bounds in counters_for(spend, policies):
            counter = counters[(policy.policy_id, bounds.key)]
            before = counter.spent_micros
            counter.spent_micros = max(0, before + spend.amount_micros)
            counter.calls += 1
            counter.version += 1
            counter.touched = True
            changes.append(
                CounterChange(
                    policy_id=policy.policy_id,
                    period_key=bounds.key,
                    period_start=counter.period_start,
                    period_end=counter.period_end,
                    spent_micros=counter.spent_micros,
                    version=counter.version,
                )
            )
            result.alerts.extend(_alerts(policy, counter, before, spend))
        result.applied.append(
            SpendApplied(
                call_id=spend.call_id,
                source=spend.source,
                amount_micros=spend.amount_micros,
                reservation_id=spend.reservation_id,
                agent_id=spend.scope.agent_id,
                team_id=spend.scope.team_id,
                run_id=spend.scope.run_id,
                model=spend.model,
                occurred_at=spend.occurred_at,
                counters=changes,
            )
        )
    return result


def _alerts(policy: Policy, counter: Counter, before: int, spend: Spend) -> list[Alert]:
    common = {
        "policy_id": policy.policy_id,
        "scope_kind": policy.scope_kind,
        "scope_id": policy.scope_id,
        "team_id": policy.team_id,
        "period": policy.period,
        "period_start": counter.period_start,
        "period_end": counter.period_end,
        "policy_name": policy.name,
        "mode": policy.mode,
        "spent_micros": counter.spent_micros,
        "limit_micros": policy.limit_micros,
        "agent_id": spend.scope.agent_id,
        "run_id": spend.scope.run_id,
        "occurred_at": spend.occurred_at,
    }
    out: list[Alert] = []
    for threshold in crossed(before, counter.spent_micros, policy.limit_micros, policy.thresholds):
        out.append(
            Alert(
                policy.policy_id,
                counter.period_key,
                threshold,
                BudgetThresholdCrossedV1(**common, threshold_percent=threshold),
                spend.event_id,
            )
        )
    if before < policy.limit_micros <= counter.spent_micros:
        overspend = counter.spent_micros - policy.limit_micros
        out.append(
            Alert(
                policy.policy_id,
                counter.period_key,
                EXCEEDED_MARK,
                BudgetExceededV1(**common, overspend_micros=overspend),
                spend.event_id,
            )
        )
    return out


def alert_event_id(policy_id: str, period_key: str, mark: int) -> uuid.UUID:
    """The same (policy, period, threshold) always gets the same id, so even a consumer
    that never saw budget's guard table would deduplicate it."""
    return uuid.uuid5(_NAMESPACE, f"{policy_id}|{period_key}|{mark}")


def counter_ttl(period_end: datetime | None, now: datetime) -> int:
    if period_end is None:
        return int(RUN_COUNTER_TTL.total_seconds())
    return max(60, int((period_end - now).total_seconds()) + 86_400)
