"""What the routes need, as typed FastAPI dependencies."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass
from typing import Annotated

import asyncpg
from fastapi import Depends, Request

from cognive_registry.settings import RegistrySettings
from cognive_runtime.auth.key_projection import ApiKeyProjection
from cognive_runtime.http.commands import command as http_command
from cognive_runtime.projections import Projection


@dataclass
class RegistryState:
    pool: asyncpg.Pool
    settings: RegistrySettings
    projections: Sequence[Projection]
    keys: ApiKeyProjection


async def registry_state(request: Request) -> RegistryState:
    state: RegistryState = request.app.state.registry
    return state


State = Annotated[RegistryState, Depends(registry_state)]


@contextlib.asynccontextmanager
async def command(state: RegistryState) -> AsyncIterator[asyncpg.Connection]:
    async with http_command(state.pool, "registry-rule") as conn:
        yield conn
