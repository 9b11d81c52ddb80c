"""What budget's routes need, as typed FastAPI dependencies."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Annotated

import asyncpg
from fastapi import Depends, Request

from cognive_budget.preflight.checker import Checker
from cognive_budget.preflight.loops import Clock
from cognive_budget.preflight.store import PreflightStore
from cognive_budget.preflight.views import PolicyView
from cognive_budget.settings import BudgetSettings
from cognive_runtime.projections import Projection


@dataclass
class BudgetState:
    pool: asyncpg.Pool
    settings: BudgetSettings
    projections: Sequence[Projection]
    store: PreflightStore
    policy_view: PolicyView
    checker: Checker
    clock: Clock


async def budget_state(request: Request) -> BudgetState:
    state: BudgetState = request.app.state.budget
    return state


State = Annotated[BudgetState, Depends(budget_state)]
