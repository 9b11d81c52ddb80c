"""What service tests need again and again: a person's bearer header with given roles,
and waiting for a query on a service's own schema to come true."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Sequence
from typing import Any

import asyncpg

from cognive_runtime.auth import RoleBinding, issue_dev_token
from cognive_runtime.settings import ServiceSettings


def person_headers(
    settings: ServiceSettings,
    roles: Sequence[tuple[str, str]] = (),
    org_role: str | None = None,
) -> dict[str, str]:
    """`Authorization` for a new person holding `roles` ((team, role) pairs)."""
    token = issue_dev_token(
        settings,
        f"user-{uuid.uuid4().hex[:8]}",
        [RoleBinding(team, role) for team, role in roles],  # type: ignore[arg-type]
        org_role=org_role,  # type: ignore[arg-type]
    )
    return {"Authorization": f"Bearer {token}"}


async def wait_for_value(
    pool: asyncpg.Pool, sql: str, *args: Any, timeout: float = 20.0, interval: float = 0.05
) -> Any:
    """Poll `sql` until it returns a truthy value (returned), or fail after `timeout`."""
    deadline = asyncio.get_running_loop().time() + timeout
    while True:
        value = await pool.fetchval(sql, *args)
        if value:
            return value
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError(f"timed out waiting for {sql} {args}")
        await asyncio.sleep(interval)
