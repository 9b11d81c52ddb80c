"""What cost's routes need, as typed FastAPI dependencies."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Annotated

import asyncpg
import redis.asyncio as aioredis
from fastapi import Depends, Request

from cognive_cost.settings import CostSettings
from cognive_runtime.auth import AuthDep, Principal
from cognive_runtime.http.commands import forbidden, readable_teams
from cognive_runtime.projections import Projection


@dataclass
class CostState:
    pool: asyncpg.Pool
    redis: aioredis.Redis
    redis_prefix: str
    settings: CostSettings
    projections: Sequence[Projection]


async def cost_state(request: Request) -> CostState:
    state: CostState = request.app.state.cost
    return state


State = Annotated[CostState, Depends(cost_state)]


async def reader(principal: AuthDep) -> Principal:
    """Anyone with a role in a team (or the org), or a key with the read scope."""
    if readable_teams(principal) == []:
        raise forbidden("requires a role in a team or the read scope")
    return principal


Reader = Annotated[Principal, Depends(reader)]
