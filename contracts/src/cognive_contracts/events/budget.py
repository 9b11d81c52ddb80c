"""Events published by budget: policies, periods, thresholds and blocked calls."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import AwareDatetime, Field

from cognive_contracts.events.base import EventPayload, Id, Micros, Name, NonNegInt

ScopeKind = Literal["org", "team", "agent", "run"]
Period = Literal["run", "day", "week", "month"]
Mode = Literal["hard", "soft"]
# Percent of the limit; above 100 allowed so a soft budget can alert on overspend.
ThresholdPercent = Annotated[int, Field(ge=1, le=1000)]


class _PolicyState(EventPayload):
    """The whole policy as of this event (defined and updated carry the same shape)."""

    policy_id: Id
    name: Name
    scope_kind: ScopeKind
    # The org, team, agent or run id the policy applies to.
    scope_id: Id
    # The team that owns the policy (authorization, audit); None for org policies.
    team_id: Id | None = None
    period: Period
    # IANA zone in which calendar periods are aligned.
    timezone: str = "UTC"
    limit_micros: Annotated[Micros, Field(gt=0)]
    mode: Mode
    thresholds: list[ThresholdPercent] = [80, 90, 100]


class BudgetPolicyDefinedV1(_PolicyState):
    event_type = "budget.policy.defined.v1"
    contract_status = "stable"


class BudgetPolicyUpdatedV1(_PolicyState):
    event_type = "budget.policy.updated.v1"
    contract_status = "stable"


class BudgetPolicyArchivedV1(EventPayload):
    event_type = "budget.policy.archived.v1"
    contract_status = "stable"

    policy_id: Id
    team_id: Id | None = None
    archived_at: AwareDatetime
    reason: str | None = None


class _PolicyPeriod(EventPayload):
    policy_id: Id
    scope_kind: ScopeKind
    scope_id: Id
    team_id: Id | None = None
    period: Period
    period_start: AwareDatetime
    # Exclusive end; None for a per-run period, which ends with the run.
    period_end: AwareDatetime | None = None


class BudgetPeriodRolledV1(_PolicyPeriod):
    """A new period began; counters start from zero by this fact, not by a cron job."""

    event_type = "budget.period.rolled.v1"
    contract_status = "stable"

    previous_period_start: AwareDatetime | None = None
    previous_spent_micros: Micros | None = None


class _SpendAlert(_PolicyPeriod):
    policy_name: Name
    mode: Mode
    spent_micros: Micros
    limit_micros: Micros
    # Set when the spend that crossed the line is attributable to one agent or run.
    agent_id: Id | None = None
    run_id: Id | None = None
    occurred_at: AwareDatetime


class BudgetThresholdCrossedV1(_SpendAlert):
    """Exactly once per (policy_id, period_start, threshold_percent)."""

    event_type = "budget.threshold.crossed.v1"
    contract_status = "stable"

    threshold_percent: ThresholdPercent


class BudgetExceededV1(_SpendAlert):
    """Spend reached 100% of the limit in this period (once per policy and period)."""

    event_type = "budget.exceeded.v1"
    contract_status = "stable"

    overspend_micros: Micros = 0


class BudgetCallBlockedV1(EventPayload):
    """A pre-flight check refused a call because a hard budget would be exceeded."""

    event_type = "budget.call.blocked.v1"
    contract_status = "stable"

    block_id: Id
    policy_id: Id
    policy_name: Name
    scope_kind: ScopeKind
    scope_id: Id
    team_id: Id | None = None
    agent_id: Id
    run_id: Id | None = None
    api_key_id: Id | None = None
    model: Name
    estimated_micros: Micros
    spent_micros: Micros
    reserved_micros: Micros
    limit_micros: Micros
    period_end: AwareDatetime | None = None
    retry_after_s: NonNegInt
    occurred_at: AwareDatetime
