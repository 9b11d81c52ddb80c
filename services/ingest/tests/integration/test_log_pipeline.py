"""The write path, the read models and the policy checker against real Postgres, without
HTTP: concurrency-safe dedup, projections equal to a rebuild, pending calls judged."""

import asyncio
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

import orjson
import pytest

from cognive_contracts.events.ingest import PolicyViolatedV1
from cognive_ingest.domain.agents import AGENT_SYNCED, AgentSynced, agent_stream
from cognive_ingest.domain.batch import Caller, validate_batch
from cognive_ingest.domain.telemetry import KIND_OF_TYPE
from cognive_ingest.event_writer import write_events
from cognive_ingest.processors.policy_checker import PolicyChecker
from cognive_ingest.projections import RunsProjection, ViolationsProjection
from cognive_runtime.db import load_migrations
from cognive_runtime.eventlog import NewEvent, append_to_stream
from cognive_runtime.projections import ProjectionRunner, verify
from cognive_runtime.testing import SchemaFactory, TestSchema

pytestmark = pytest.mark.integration

MIGRATIONS = Path(__file__).parents[2] / "migrations"
CALLER = Caller(team_id="team-a", api_key_id="key-1")
T0 = datetime(2026, 1, 1, tzinfo=UTC)


async def ingest_schema(schemas: SchemaFactory) -> TestSchema:
    return await schemas.create("ingest", migrations_dir=MIGRATIONS, component="ingest")


def event(kind: str, run_id: str, agent_id: str, at: int, **fields: object) -> dict[str, object]:
    return {
        "kind": kind,
        "event_id": str(uuid.uuid4()),
        "run_id": run_id,
        "agent_id": agent_id,
        "occurred_at": (T0 + timedelta(seconds=at)).isoformat(),
        **fields,
    }


def llm(run_id: str, agent_id: str, at: int, model: str = "gpt-4o") -> dict[str, object]:
    return event(
        "llm_call",
        run_id,
        agent_id,
        at,
        call_id=f"c{at}",
        provider="openai",
        model=model,
        usage={"input_tokens": 100, "output_tokens": 10},
        latency_ms=5,
        status="ok",
    )


def tool(run_id: str, agent_id: str, at: int, name: str) -> dict[str, object]:
    return event(
        "tool_call", run_id, agent_id, at, call_id=f"t{at}", name=name, status="ok", latency_ms=1
    )


async def submit(schema: TestSchema, items: list[dict[str, object]]) -> tuple[int, int]:
    batch = validate_batch(items, CALLER)
    result = await write_events(schema.pool, batch.events, {"actor": "api_key:key-1"})
    return result.stored, result.duplicates


async def sync_agent(
    schema: TestSchema, agent_id: str, models: list[str], tools: list[str], seq: int = 1
) -> None:
    synced = AgentSynced(
        agent_id=agent_id,
        team_id="team-a",
        allowed_models=models,
        approved_tools=tools,
        source_type="registry.agent.registered.v1",
        source_event_id=str(uuid.uuid4()),
        source_sequence=seq,
        changed_at=T0,
    )
    async with schema.pool.acquire() as conn, conn.transaction():
        await append_to_stream(
            conn, agent_stream(agent_id), [NewEvent(AGENT_SYNCED, synced.model_dump(mode="json"))]
        )


async def test_concurrent_duplicate_batches_are_stored_once(schemas: SchemaFactory) -> None:
    schema = await ingest_schema(schemas)
    items = [llm(f"run-{i % 3}", "agent-1", i) for i in range(50)]
    results = await asyncio.gather(*(submit(schema, items) for _ in range(6)))
    assert sum(stored for stored, _ in results) == 50
    assert all(stored + dup == 50 for stored, dup in results)
    assert await schema.pool.fetchval("SELECT count(*) FROM events") == 50


async def test_runs_projection_and_rebuild_agree(schemas: SchemaFactory) -> None:
    schema = await ingest_schema(schemas)
    # The LLM call comes before the run's start: the run exists as running, then fills in.
    await submit(
        schema,
        [
            llm("r1", "a1", 2),
            event("step", "r1", "a1", 1, step_id="s", name="plan", payload={"k": 1}),
        ],
    )
    await submit(
        schema,
        [
            event("run_started", "r1", "a1", 0, name="first", tags=["x"], metadata={"m": 1}),
            tool("r1", "a1", 3, "search"),
            event("run_ended", "r1", "a1", 4, status="failure", error="boom", duration_ms=4000),
        ],
    )
    runner = ProjectionRunner(schema.pool, RunsProjection(), "ingest", chunk_size=2)
    while await runner.step():
        pass
    run = await schema.pool.fetchrow("SELECT * FROM runs WHERE run_id = 'r1'")
    assert run["status"] == "failure"
    assert run["error"] == "boom"
    assert run["name"] == "first"
    assert run["started_at"] == T0
    assert run["first_event_at"] == T0
    assert (run["step_count"], run["llm_call_count"], run["tool_call_count"]) == (1, 1, 1)
    assert run["input_tokens"] == 100
    assert run["tags"] == ["x"]
    assert run["team_id"] == "team-a"
    report = await verify(schema.pool, RunsProjection())
    assert report.differing_rows == 0


async def test_policy_checker_judges_known_and_late_agents(schemas: SchemaFactory) -> None:
    schema = await ingest_schema(schemas)
    checker = PolicyChecker(schema.pool, "ingest", chunk_size=3)
    await sync_agent(schema, "known", ["gpt-4o*"], ["search"])
    await submit(
        schema,
        [
            llm("r1", "known", 1),
            llm("r1", "known", 2, "gpt-5"),
            tool("r1", "known", 3, "shell"),
            tool("r1", "known", 4, "search"),
        ],
    )
    await submit(schema, [llm("r2", "late", 1, "claude-x"), tool("r2", "late", 2, "shell")])
    while await checker.step():
        pass
    assert await schema.pool.fetchval("SELECT count(*) FROM policy_pending") == 2
    await sync_agent(schema, "late", ["gpt-*"], ["shell"])
    # Updates with an older registry position are ignored.
    await sync_agent(schema, "late", ["claude-*"], [], seq=0)
    while await checker.step():
        pass
    assert await schema.pool.fetchval("SELECT count(*) FROM policy_pending") == 0
    runner = ProjectionRunner(schema.pool, ViolationsProjection(), "ingest")
    while await runner.step():
        pass
    rows = await schema.pool.fetch(
        "SELECT agent_id, kind, model, tool FROM policy_violations ORDER BY position"
    )
    assert [tuple(r) for r in rows] == [
        ("known", "model_not_allowed", "gpt-5", None),
        ("known", "tool_not_approved", None, "shell"),
        ("late", "model_not_allowed", "claude-x", None),
    ]
    logged = await schema.pool.fetchval(
        "SELECT count(*) FROM events WHERE type = $1", PolicyViolatedV1.event_type
    )
    assert logged == 3


async def test_run_items_written_with_a_json_copy_migrate_to_point_at_the_log(
    schemas: SchemaFactory,
) -> None:
    # Items written before migration 0002 carried a copy of their event's JSON: each now
    # points at its own event in the log.
    schema = await schemas.create("ingest")
    before = [m for m in load_migrations("ingest", MIGRATIONS) if m.version < 2]
    await schema.migrate(before)
    await submit(
        schema,
        [
            event("step", "r1", "a1", 1, step_id="s", name="plan", payload={"k": 1}),
            llm("r1", "a1", 2),
            tool("r1", "a1", 3, "search"),
        ],
    )
    logged = await schema.pool.fetch("SELECT * FROM events ORDER BY global_position")
    await schema.pool.executemany(
        "INSERT INTO run_items (run_id, seq, kind, event_id, occurred_at, data)"
        " VALUES ($1, $2, $3, $4, $5, $6::text::jsonb)",
        [
            (
                e["data"]["run_id"],
                e["stream_version"],
                KIND_OF_TYPE[e["type"]],
                e["event_id"],
                datetime.fromisoformat(e["data"]["occurred_at"]),
                orjson.dumps(e["data"]).decode(),
            )
            for e in logged
        ],
    )
    applied = await schema.migrate(
        [m for m in load_migrations("ingest", MIGRATIONS) if m.version < 3]
    )
    assert [m.version for m in applied] == [2]
    rows = await schema.pool.fetch(
        "SELECT i.event_id = e.event_id AS same FROM run_items i"
        " JOIN events e ON e.global_position = i.position"
    )
    assert [r["same"] for r in rows] == [True, True, True]
    columns = await schema.pool.fetch(
        "SELECT column_name FROM information_schema.columns"
        " WHERE table_schema = $1 AND table_name = 'run_items'",
        schema.name,
    )
    assert "data" not in {c["column_name"] for c in columns}
    # Migration 0003: the items are the run's stream in the log; the table goes.
    applied = await schema.migrate(load_migrations("ingest", MIGRATIONS))
    assert [m.version for m in applied] == [3]
    assert await schema.pool.fetchval("SELECT to_regclass('run_items')") is None
