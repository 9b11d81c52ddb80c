"""The pre-flight check (ARCHITECTURE §7): which budgets apply, what to reserve, one Lua
call that checks them all and reserves in one step, and the record of a block."""

from __future__ import annotations

import math
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

import asyncpg

from cognive_budget.domain.estimate import estimate_micros
from cognive_budget.domain.periods import PeriodBounds, bounds_for
from cognive_budget.domain.policies import Policy
from cognive_budget.domain.scope import CallScope, applicable, model_allowed
from cognive_budget.domain.spend import counter_ttl
from cognive_budget.preflight.loops import Clock
from cognive_budget.preflight.store import CounterLimit, PreflightStore
from cognive_budget.preflight.views import AgentView, PolicyView
from cognive_budget.settings import BudgetSettings
from cognive_contracts.events.budget import BudgetCallBlockedV1
from cognive_contracts.http.budget import CheckRequest
from cognive_runtime.eventlog import NewEvent, append_to_stream
from cognive_runtime.observability import current_traceparent
from cognive_runtime.projections.base import pooled_connection


@dataclass(frozen=True, slots=True)
class Allowed:
    reservation_id: str
    expires_at: datetime
    estimated_micros: int
    policy_ids: list[str]


@dataclass(frozen=True, slots=True)
class Blocked:
    policy: Policy
    bounds: PeriodBounds
    spent_micros: int
    reserved_micros: int
    estimated_micros: int
    retry_after_s: int | None
    block_id: str


@dataclass(frozen=True, slots=True)
class Rebuilding:
    retry_after_s: int


@dataclass(frozen=True, slots=True)
class Refused:
    """403: the agent may not use the model, is retired, or is another team's."""

    reason: str
    detail: str


Outcome = Allowed | Blocked | Rebuilding | Refused


class Checker:
    def __init__(
        self,
        pool: asyncpg.Pool,
        store: PreflightStore,
        policies: PolicyView,
        agents: AgentView,
        settings: BudgetSettings,
        clock: Clock,
    ) -> None:
        self.pool = pool
        self.store = store
        self.policies = policies
        self.agents = agents
        self.settings = settings
        self.clock = clock

    async def check(self, caller_team: str | None, actor: str, req: CheckRequest) -> Outcome:
        agent = await self.agents.get(req.agent_id)
        team = caller_team
        if agent is not None:
            if caller_team is not None and agent.team_id != caller_team:
                return Refused("agent-of-another-team", f"agent {req.agent_id} is not your team's")
            if agent.retired:
                return Refused("agent-retired", f"agent {req.agent_id} is retired")
            if not model_allowed(req.model, agent.allowed_models):
                return Refused(
                    "model-not-allowed",
                    f"model {req.model} is not allowed for agent {req.agent_id}",
                )
            team = agent.team_id
        if not self.policies.loaded:
            await self.policies.refresh()
        now = self.clock()
        scope = CallScope(agent_id=req.agent_id, team_id=team, run_id=req.run_id)
        estimate = self._estimate(req)
        counters: list[tuple[Policy, PeriodBounds]] = []
        for policy in applicable(self.policies.policies, scope):
            bounds = bounds_for(policy.period, policy.timezone, now, req.run_id)
            if bounds is not None:
                counters.append((policy, bounds))
        reservation_id = uuid.uuid4().hex
        ttl = self.settings.reservation_ttl_s
        expires_at = now + timedelta(seconds=ttl)
        outcome = await self.store.check_and_reserve(
            [
                CounterLimit(
                    p.policy_id,
                    b.key,
                    p.limit_micros,
                    p.mode == "hard",
                    max(counter_ttl(b.end, now), ttl),
                )
                for p, b in counters
            ],
            estimate,
            reservation_id,
            expires_at,
            ttl,
        )
        if outcome.allowed:
            return Allowed(reservation_id, expires_at, estimate, [p.policy_id for p, _ in counters])
        if outcome.rebuilding:
            return Rebuilding(self.settings.rebuilding_retry_after_s)
        assert outcome.blocked_index is not None
        policy, bounds = counters[outcome.blocked_index]
        blocked = Blocked(
            policy=policy,
            bounds=bounds,
            spent_micros=outcome.spent_micros,
            reserved_micros=outcome.reserved_micros,
            estimated_micros=estimate,
            retry_after_s=self._retry_after(policy, bounds, outcome.spent_micros, estimate, now),
            block_id=uuid.uuid4().hex,
        )
        await self._record(blocked, req, team, actor, now)
        return blocked

    def _estimate(self, req: CheckRequest) -> int:
        if req.estimated_cost_micros is not None:
            return req.estimated_cost_micros
        if req.estimated_tokens:
            rate = self.policies.rates.get(req.model, self.settings.fallback_micros_per_mtok)
            return estimate_micros(req.estimated_tokens, rate)
        return 0

    def _retry_after(
        self, policy: Policy, bounds: PeriodBounds, spent: int, estimate: int, now: datetime
    ) -> int | None:
        """Until the period resets when the spend alone leaves no room; a few seconds when
        only open reservations do (they settle or expire); none for a spent run budget,
        which never resets."""
        if spent + estimate <= policy.limit_micros and spent < policy.limit_micros:
            return self.settings.reserved_retry_after_s
        if bounds.end is None:
            return None
        return max(1, math.ceil((bounds.end - now).total_seconds()))

    async def _record(
        self, blocked: Blocked, req: CheckRequest, team: str | None, actor: str, now: datetime
    ) -> None:
        p = blocked.policy
        event = BudgetCallBlockedV1(
            block_id=blocked.block_id,
            policy_id=p.policy_id,
            policy_name=p.name,
            scope_kind=p.scope_kind,
            scope_id=p.scope_id,
            team_id=team,
            agent_id=req.agent_id,
            run_id=req.run_id,
            api_key_id=actor.removeprefix("api_key:") if actor.startswith("api_key:") else None,
            model=req.model,
            estimated_micros=blocked.estimated_micros,
            spent_micros=blocked.spent_micros,
            reserved_micros=blocked.reserved_micros,
            limit_micros=p.limit_micros,
            period_end=blocked.bounds.end,
            retry_after_s=blocked.retry_after_s or 0,
            occurred_at=now,
        )
        metadata = {"actor": actor}
        if traceparent := current_traceparent():
            metadata["traceparent"] = traceparent
        async with pooled_connection(self.pool) as conn, conn.transaction():
            await append_to_stream(
                conn,
                f"block-{blocked.block_id}",
                [NewEvent(event.event_type, event, metadata=metadata)],
            )
