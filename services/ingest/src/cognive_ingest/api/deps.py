"""Typed dependencies of ingest's routes. Bootstrap puts an ``IngestState`` on
``app.state.ingest``; routes take it as ``State``."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, cast

import asyncpg
from fastapi import Depends, Request

from cognive_ingest.settings import IngestSettings
from cognive_runtime.auth import Principal, require_scope


@dataclass(frozen=True, slots=True)
class IngestState:
    pool: asyncpg.Pool
    settings: IngestSettings


async def ingest_state(request: Request) -> IngestState:
    return cast(IngestState, request.app.state.ingest)


State = Annotated[IngestState, Depends(ingest_state)]
Writer = Annotated[Principal, Depends(require_scope("events:write"))]
Reader = Annotated[Principal, Depends(require_scope("read"))]
