"""HTTP bodies of the budget service: policies and their status, pre-flight checks and
the blocked-call log (ARCHITECTURE §6, §7). Money is integer micro-USD."""

from __future__ import annotations

from typing import Annotated

from pydantic import AwareDatetime, Field, StringConstraints

from cognive_contracts.events.base import Id, Micros, Name, NonNegInt
from cognive_contracts.events.budget import Mode, Period, ScopeKind, ThresholdPercent
from cognive_contracts.http.bodies import RequestBody, ResponseBody

PolicyId = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$")]


_Body = RequestBody
_Out = ResponseBody


class BudgetCreate(_Body):
    """A budget. `policy_id` may be chosen (stable names in configuration as code);
    otherwise one is generated. `team_id` owns the budget: required except for org scope,
    and for an agent scope it must be the agent's team."""

    policy_id: PolicyId | None = None
    name: Name
    scope_kind: ScopeKind
    scope_id: Id
    team_id: Id | None = None
    period: Period
    timezone: str = "UTC"
    limit_micros: Annotated[Micros, Field(gt=0)]
    mode: Mode = "hard"
    thresholds: list[ThresholdPercent] = Field(default=[80, 90, 100], min_length=1, max_length=20)


class BudgetUpdate(_Body):
    name: Name | None = None
    timezone: str | None = None
    limit_micros: Annotated[Micros, Field(gt=0)] | None = None
    mode: Mode | None = None
    thresholds: list[ThresholdPercent] | None = Field(default=None, min_length=1, max_length=20)


class BudgetArchive(_Body):
    reason: str | None = None


class BudgetStatus(_Out):
    """The current period's spend. For a per-run budget, the run given as `run_id`."""

    period_start: AwareDatetime | None
    period_end: AwareDatetime | None
    spent_micros: int
    reserved_micros: int
    remaining_micros: int
    percent_used: float
    thresholds_crossed: list[int]
    exceeded: bool


class BudgetOut(_Out):
    policy_id: str
    name: str
    scope_kind: ScopeKind
    scope_id: str
    team_id: str | None
    period: Period
    timezone: str
    limit_micros: int
    mode: Mode
    thresholds: list[int]
    archived: bool
    created_at: AwareDatetime
    updated_at: AwareDatetime
    status: BudgetStatus | None = None


class CheckRequest(_Body):
    """Give the estimate in money, or in tokens (priced at the highest rate budget has
    seen for the model, or a configured fallback)."""

    agent_id: Id
    model: Name
    run_id: Id | None = None
    estimated_tokens: NonNegInt | None = None
    estimated_cost_micros: Micros | None = None


class CheckAllowed(_Out):
    allowed: bool = True
    reservation_id: str
    expires_at: AwareDatetime
    estimated_micros: int
    # The policies the call was checked against.
    policy_ids: list[str]


class BlockingPolicy(_Out):
    policy_id: str
    name: str
    scope_kind: ScopeKind
    scope_id: str
    period: Period
    limit_micros: int
    spent_micros: int
    reserved_micros: int
    period_end: AwareDatetime | None


class BlockedCallOut(_Out):
    block_id: str
    policy_id: str
    policy_name: str
    team_id: str | None
    agent_id: str
    run_id: str | None
    model: str
    estimated_micros: int
    spent_micros: int
    reserved_micros: int
    limit_micros: int
    retry_after_s: int
    occurred_at: AwareDatetime


BUDGET_HTTP_MODELS = (
    BudgetCreate,
    BudgetUpdate,
    BudgetArchive,
    BudgetStatus,
    BudgetOut,
    CheckRequest,
    CheckAllowed,
    BlockingPolicy,
    BlockedCallOut,
)
