"""The policy checker: follows ingest's log and judges every LLM and tool call against its
agent's policy, recording each violation as ``ingest.policy.violated.v1`` in the log (the
relay publishes it; the violations projection lists it).

It reads calls and the private ``ingest.agent.synced.v1`` events together, in commit
order, one transaction per chunk holding its state, its appends and its checkpoint. So
there is no race between "a call of an unknown agent" and "the agent arrives": a call read
before its agent goes to ``policy_pending``; reading the agent's synced event updates
``policy_agents`` and judges that agent's pending calls in the same transaction. A call is
never skipped, and never judged twice (violation ids are derived from the call's id).

It appends to the log, so it is not a rebuildable projection: it runs under a leader lock
like the relay, and its tables are its working state."""

from __future__ import annotations

import asyncio
import json
import time
import uuid
from collections.abc import Sequence
from datetime import datetime
from typing import Any, Final

import asyncpg
import structlog

from cognive_contracts.events.ingest import LlmCallRecordedV1, PolicyViolatedV1, ToolCallRecordedV1
from cognive_ingest.domain.agents import AGENT_SYNCED, AgentSynced
from cognive_ingest.domain.policy import AgentPolicy, Call, evaluate
from cognive_ingest.metrics import POLICY_PENDING, POLICY_VIOLATIONS
from cognive_runtime.eventlog import (
    NewEvent,
    RecordedEvent,
    StreamAppend,
    append,
    load_checkpoint,
    read_window,
    store_checkpoint,
)
from cognive_runtime.eventlog.signal import LogSignal, pause
from cognive_runtime.projections.base import pooled_connection

log = structlog.get_logger(__name__)

CHECKPOINT: Final = "policy"
# Counting the waiting calls scans the whole table: the gauge is refreshed at most this often
# (after every chunk it cost more than judging the chunk once calls of unknown agents piled up).
PENDING_REFRESH_S: Final = 5.0
_TYPES: Final = sorted({LlmCallRecordedV1.event_type, ToolCallRecordedV1.event_type, AGENT_SYNCED})

_LOAD_AGENTS = """
SELECT agent_id, team_id, allowed_models, approved_tools, retired, source_sequence
FROM policy_agents WHERE agent_id = ANY($1::text[])
"""
_UPSERT_AGENTS = """
INSERT INTO policy_agents AS a (agent_id, team_id, allowed_models, approved_tools, retired,
                                source_sequence, updated_at)
SELECT a_id, t, ARRAY(SELECT jsonb_array_elements_text(m::jsonb)),
       ARRAY(SELECT jsonb_array_elements_text(tl::jsonb)), r, s, u
FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::bool[], $6::bigint[],
            $7::timestamptz[]) AS x(a_id, t, m, tl, r, s, u)
ON CONFLICT (agent_id) DO UPDATE SET
    team_id = excluded.team_id, allowed_models = excluded.allowed_models,
    approved_tools = excluded.approved_tools, retired = excluded.retired,
    source_sequence = excluded.source_sequence, updated_at = excluded.updated_at
"""
_LOAD_PENDING = """
SELECT event_id, agent_id, kind, run_id, call_id, team_id, subject, occurred_at
FROM policy_pending WHERE agent_id = ANY($1::text[]) ORDER BY position
"""
_DELETE_PENDING = "DELETE FROM policy_pending WHERE agent_id = ANY($1::text[])"
_INSERT_PENDING = """
INSERT INTO policy_pending (event_id, agent_id, kind, run_id, call_id, team_id, subject,
                            occurred_at, position)
SELECT * FROM unnest($1::uuid[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[],
                     $7::text[], $8::timestamptz[], $9::bigint[])
ON CONFLICT (event_id) DO NOTHING
"""


def _call(event: RecordedEvent) -> Call:
    data = event.data
    is_llm = event.type == LlmCallRecordedV1.event_type
    return Call(
        event_id=event.event_id,
        kind="llm_call" if is_llm else "tool_call",
        agent_id=data["agent_id"],
        run_id=data["run_id"],
        call_id=data["call_id"],
        team_id=data.get("team_id"),
        subject=data["model"] if is_llm else data["name"],
        occurred_at=datetime.fromisoformat(data["occurred_at"]),
    )


class _Chunk:
    """The checker's working state for one chunk of the log."""

    def __init__(self, agents: dict[str, AgentPolicy], pending: dict[str, list[Call]]) -> None:
        self.agents = agents
        self.pending = pending  # stored pending calls of agents synced in this chunk
        self.new_pending: list[tuple[Call, int]] = []
        self.resolved: set[str] = set()
        self.changed: dict[str, datetime] = {}
        self.violations: list[tuple[PolicyViolatedV1, uuid.UUID]] = []

    def judge(self, policy: AgentPolicy, call: Call) -> None:
        violation = evaluate(policy, call)
        if violation is not None:
            self.violations.append((violation, call.event_id))

    def on_synced(self, event: RecordedEvent) -> None:
        change = AgentSynced.model_validate_json(event.data_json)
        known = self.agents.get(change.agent_id)
        policy = AgentPolicy.first(change) if known is None else known.updated(change)
        self.agents[change.agent_id] = policy
        self.changed[change.agent_id] = change.changed_at
        if known is None:
            for call in self.pending.pop(change.agent_id, []):
                self.judge(policy, call)
            waiting = [(c, p) for c, p in self.new_pending if c.agent_id == change.agent_id]
            self.new_pending = [
                (c, p) for c, p in self.new_pending if c.agent_id != change.agent_id
            ]
            for call, _ in waiting:
                self.judge(policy, call)
            self.resolved.add(change.agent_id)

    def on_call(self, event: RecordedEvent) -> None:
        call = _call(event)
        policy = self.agents.get(call.agent_id)
        if policy is None:
            self.new_pending.append((call, event.global_position))
        else:
            self.judge(policy, call)


class PolicyChecker:
    """A `Loop`; run it under a `LeaderLock` (one checker per log)."""

    def __init__(
        self,
        pool: asyncpg.Pool,
        service: str,
        *,
        chunk_size: int = 1000,
        idle_poll_s: float = 0.1,
        signal: LogSignal | None = None,
    ) -> None:
        self.pool = pool
        self.service = service
        self.chunk_size = chunk_size
        self.idle_poll_s = idle_poll_s
        self.signal = signal
        self.name = "policy-checker"
        self._pending_counted_at = -PENDING_REFRESH_S

    async def run(self, stop: asyncio.Event) -> None:
        log.info("policy_checker.started")
        last_work = time.monotonic()
        while not stop.is_set():
            read = await self.step()
            if read:
                last_work = time.monotonic()
            if read < self.chunk_size:
                await pause(self.signal, stop, self.idle_poll_s, last_work)
        log.info("policy_checker.stopped")

    async def step(self) -> int:
        """Judge at most one chunk; returns how many log events it read."""
        async with pooled_connection(self.pool) as conn, conn.transaction():
            position = await load_checkpoint(conn, CHECKPOINT)
            events, through = await read_window(conn, position, self.chunk_size, _TYPES)
            if not events:
                if through > position:  # only other types' events: never scan them again
                    await store_checkpoint(conn, CHECKPOINT, through)
                return 0
            chunk = await self._load(conn, events)
            for event in events:
                if event.type == AGENT_SYNCED:
                    chunk.on_synced(event)
                else:
                    chunk.on_call(event)
            await self._save(conn, chunk)
            await store_checkpoint(conn, CHECKPOINT, through)
            now = time.monotonic()
            if now - self._pending_counted_at >= PENDING_REFRESH_S:
                self._pending_counted_at = now
                pending = await conn.fetchval("SELECT count(*) FROM policy_pending")
                POLICY_PENDING.labels(self.service).set(pending)
        if chunk.violations:
            POLICY_VIOLATIONS.labels(self.service).inc(len(chunk.violations))
            log.info("policy.violations_recorded", violations=len(chunk.violations))
        return len(events)

    async def _load(self, conn: asyncpg.Connection, events: Sequence[RecordedEvent]) -> _Chunk:
        agent_ids = sorted({e.data["agent_id"] for e in events})
        rows = await conn.fetch(_LOAD_AGENTS, agent_ids)
        agents = {
            r["agent_id"]: AgentPolicy(
                agent_id=r["agent_id"],
                team_id=r["team_id"],
                allowed_models=tuple(r["allowed_models"]),
                approved_tools=tuple(r["approved_tools"]),
                retired=r["retired"],
                source_sequence=r["source_sequence"],
            )
            for r in rows
        }
        synced_unknown = sorted(
            {e.data["agent_id"] for e in events if e.type == AGENT_SYNCED} - agents.keys()
        )
        pending: dict[str, list[Call]] = {}
        if synced_unknown:
            for r in await conn.fetch(_LOAD_PENDING, synced_unknown):
                pending.setdefault(r["agent_id"], []).append(
                    Call(
                        event_id=r["event_id"],
                        kind=r["kind"],
                        agent_id=r["agent_id"],
                        run_id=r["run_id"],
                        call_id=r["call_id"],
                        team_id=r["team_id"],
                        subject=r["subject"],
                        occurred_at=r["occurred_at"],
                    )
                )
        return _Chunk(agents, pending)

    async def _save(self, conn: asyncpg.Connection, chunk: _Chunk) -> None:
        if chunk.changed:
            await conn.execute(_UPSERT_AGENTS, *_agent_columns(chunk))
        if chunk.resolved:
            await conn.execute(_DELETE_PENDING, sorted(chunk.resolved))
        if chunk.new_pending:
            await conn.execute(_INSERT_PENDING, *_pending_columns(chunk.new_pending))
        if chunk.violations:
            await append(conn, _violation_appends(chunk.violations))


def _agent_columns(chunk: _Chunk) -> list[list[Any]]:
    columns: list[list[Any]] = [[] for _ in range(7)]
    for agent_id, changed_at in chunk.changed.items():
        p = chunk.agents[agent_id]
        row = (
            agent_id,
            p.team_id,
            json.dumps(list(p.allowed_models)),
            json.dumps(list(p.approved_tools)),
            p.retired,
            p.source_sequence,
            changed_at,
        )
        for column, value in zip(columns, row, strict=True):
            column.append(value)
    return columns


def _pending_columns(pending: list[tuple[Call, int]]) -> list[list[Any]]:
    columns: list[list[Any]] = [[] for _ in range(9)]
    for call, position in pending:
        row = (
            call.event_id,
            call.agent_id,
            call.kind,
            call.run_id,
            call.call_id,
            call.team_id,
            call.subject,
            call.occurred_at,
            position,
        )
        for column, value in zip(columns, row, strict=True):
            column.append(value)
    return columns


def _violation_appends(
    violations: list[tuple[PolicyViolatedV1, uuid.UUID]],
) -> list[StreamAppend]:
    streams: dict[str, list[NewEvent]] = {}
    for violation, cause in violations:
        streams.setdefault(f"policy-{violation.agent_id}", []).append(
            NewEvent(
                type=PolicyViolatedV1.event_type,
                data=violation,
                event_id=uuid.UUID(violation.violation_id),
                metadata={"actor": "system", "causation_id": str(cause)},
            )
        )
    return [StreamAppend(stream_id, events) for stream_id, events in streams.items()]
