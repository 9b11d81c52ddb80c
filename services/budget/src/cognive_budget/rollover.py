"""The period roller: when a calendar period ends, each policy's new period becomes a
`budget.period.rolled.v1` in its stream (a fact, not a cron job zeroing counters: the new
period's counters start at zero because they are new keys)."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Sequence

import asyncpg
import structlog

from cognive_budget.domain.periods import calendar_bounds
from cognive_budget.domain.policies import Policy, fold_policy, policy_stream, roll_period
from cognive_budget.ledger.policies import load_active_policies
from cognive_budget.preflight.loops import Clock
from cognive_contracts.events.base import EventPayload
from cognive_runtime.commands import catch_up, execute
from cognive_runtime.eventlog import ConcurrencyError
from cognive_runtime.projections import Projection
from cognive_runtime.projections.base import pooled_connection

log = structlog.get_logger(__name__)


class PeriodRoller:
    name = "period-roller"

    def __init__(
        self,
        pool: asyncpg.Pool,
        views: Sequence[Projection],
        interval_s: float,
        clock: Clock,
    ) -> None:
        self.pool = pool
        self.views = views
        self.interval_s = interval_s
        self.clock = clock

    async def roll_once(self) -> int:
        now = self.clock()
        rolled = 0
        for policy in await load_active_policies(self.pool):
            if policy.period == "run":
                continue
            start, _end = calendar_bounds(policy.period, policy.timezone, now)
            if policy.current_period_start is not None and start <= policy.current_period_start:
                continue
            previous = None
            if policy.current_period_start is not None:
                previous = await self.pool.fetchval(
                    "SELECT spent_micros FROM spend_counters"
                    " WHERE policy_id = $1 AND period_key = $2",
                    policy.policy_id,
                    policy.current_period_start.isoformat(),
                )
            spent = int(previous or 0)

            def decide(current: Policy | None, spent: int = spent) -> list[EventPayload]:
                return roll_period(current, now, spent)

            try:
                async with pooled_connection(self.pool) as conn, conn.transaction():
                    _state, events = await execute(
                        conn,
                        policy_stream(policy.policy_id),
                        fold_policy,
                        decide,
                        "system:period-roller",
                    )
            except ConcurrencyError:
                continue  # the policy changed meanwhile: the next pass sees it
            rolled += len(events)
        if rolled:
            await catch_up(self.pool, self.views)
            log.info("budget.periods_rolled", policies=rolled)
        return rolled

    async def run(self, stop: asyncio.Event) -> None:
        while not stop.is_set():
            try:
                await self.roll_once()
            except Exception as exc:
                log.warning("budget.roll_failed", error=str(exc))
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), self.interval_s)
