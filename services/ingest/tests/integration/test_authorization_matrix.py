"""Each ingest route by each kind of caller: the status it gets, in one table.

People post no events (a person's token has no single team to stamp on them, ADR 0003);
reading needs scope `read` (or `admin`, which holds every scope) for a key, any role for a
person; another team's run is answered 404, exactly like a missing one."""

from __future__ import annotations

from typing import Any

import pytest

from cognive_runtime.testing import wait_until

from ..conftest import Ingest
from .events_factory import llm_call, run_started
from .test_events_api import bearer

pytestmark = pytest.mark.integration

PEOPLE = {
    "org_admin": ([], "admin"),
    "a_viewer": ([("team-a", "viewer")], None),
    "a_developer": ([("team-a", "developer")], None),
    "a_lead": ([("team-a", "team_lead")], None),
    "b_viewer": ([("team-b", "viewer")], None),
}
KEYS = {
    "key_events": ["events:write"],
    "key_read": ["read"],
    "key_register": ["agents:register"],
    "key_budget": ["budget:check"],
    "key_admin": ["admin"],
    "key_b_read": ["read"],
}

#               POST events  GET runs  GET run (team-a)  GET violations
EXPECTED: dict[str, tuple[int, int, int, int]] = {
    "org_admin": (403, 200, 200, 200),
    "a_viewer": (403, 200, 200, 200),
    "a_developer": (403, 200, 200, 200),
    "a_lead": (403, 200, 200, 200),
    "b_viewer": (403, 200, 404, 200),
    "key_events": (202, 403, 403, 403),
    "key_read": (403, 200, 200, 200),
    "key_register": (403, 403, 403, 403),
    "key_budget": (403, 403, 403, 403),
    "key_admin": (202, 200, 200, 200),
    "key_b_read": (403, 200, 404, 200),
    "anonymous": (401, 401, 401, 401),
}


async def test_route_by_caller_matrix(ingest: Ingest) -> None:
    headers: dict[str, dict[str, str]] = {"anonymous": {}}
    for name, (roles, org_role) in PEOPLE.items():
        headers[name] = {"Authorization": f"Bearer {ingest.token(roles, org_role)}"}
    for name, scopes in KEYS.items():
        team = "team-b" if name == "key_b_read" else "team-a"
        headers[name] = bearer(await ingest.issue_key(scopes, team_id=team))  # type: ignore[arg-type]
    seed = await ingest.issue_key(["events:write"], team_id="team-a")
    seeded = await ingest.client.post(
        "/v1/events", json={"events": [run_started("run-m", "agent-m")]}, headers=bearer(seed)
    )
    assert seeded.status_code == 202

    async def projected() -> bool:
        return bool(await ingest.pool.fetchval("SELECT count(*) FROM runs WHERE run_id = 'run-m'"))

    await wait_until(projected, timeout=20, message="run projected")

    failures: list[str] = []
    for caller, expected in EXPECTED.items():
        h = headers[caller]
        got: list[Any] = [
            (
                await ingest.client.post(
                    "/v1/events",
                    json={"events": [llm_call(f"r-{caller}", "agent-m", 1)]},
                    headers=h,
                )
            ).status_code,
            (await ingest.client.get("/v1/runs", headers=h)).status_code,
            (await ingest.client.get("/v1/runs/run-m", headers=h)).status_code,
            (await ingest.client.get("/v1/policy-violations", headers=h)).status_code,
        ]
        if tuple(got) != expected:
            failures.append(f"{caller}: expected {expected}, got {tuple(got)}")
    assert not failures, "\n".join(failures)
