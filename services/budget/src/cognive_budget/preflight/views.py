"""In-process views the check reads instead of querying Postgres per call: active
policies and learned model rates (refreshed every `policy_refresh_s`, and at once after
this process changes a policy), and agents (read-through with a short TTL)."""

from __future__ import annotations

import asyncio
import contextlib
import time
from dataclasses import dataclass

import asyncpg
import structlog

from cognive_budget.domain.policies import Policy
from cognive_budget.ledger.policies import load_active_policies

log = structlog.get_logger(__name__)


@dataclass(frozen=True, slots=True)
class KnownAgent:
    agent_id: str
    team_id: str
    allowed_models: tuple[str, ...]
    retired: bool


class PolicyView:
    name = "policy-view"

    def __init__(self, pool: asyncpg.Pool, refresh_s: float) -> None:
        self.pool = pool
        self.refresh_s = refresh_s
        self.policies: list[Policy] = []
        self.rates: dict[str, int] = {}
        self.loaded = False

    async def refresh(self) -> None:
        policies = await load_active_policies(self.pool)
        rows = await self.pool.fetch("SELECT model, micros_per_mtok FROM model_rates")
        self.policies = policies
        self.rates = {r["model"]: r["micros_per_mtok"] for r in rows}
        self.loaded = True

    async def run(self, stop: asyncio.Event) -> None:
        while not stop.is_set():
            try:
                await self.refresh()
            except Exception as exc:
                log.warning("budget.policy_refresh_failed", error=str(exc))
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), self.refresh_s)


class AgentView:
    def __init__(self, pool: asyncpg.Pool, ttl_s: float) -> None:
        self.pool = pool
        self.ttl_s = ttl_s
        self._cache: dict[str, tuple[float, KnownAgent | None]] = {}

    async def get(self, agent_id: str) -> KnownAgent | None:
        now = time.monotonic()
        hit = self._cache.get(agent_id)
        if hit is not None and hit[0] > now:
            return hit[1]
        row = await self.pool.fetchrow(
            "SELECT agent_id, team_id, allowed_models, retired FROM agents WHERE agent_id = $1",
            agent_id,
        )
        agent = (
            None
            if row is None
            else KnownAgent(
                row["agent_id"], row["team_id"], tuple(row["allowed_models"]), row["retired"]
            )
        )
        if len(self._cache) > 100_000:
            self._cache.clear()
        self._cache[agent_id] = (now + self.ttl_s, agent)
        return agent
