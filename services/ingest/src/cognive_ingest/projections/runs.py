"""Runs with their steps, LLM calls and tool calls: a projection of the telemetry events.

A chunk is folded per run in memory and written with one upsert of every touched run, so
the projection keeps up with ingest's write rate. A run's steps and calls are not copied:
they are its stream in ingest's log (`GET /v1/runs/{id}` reads them there). Events
may arrive in any order: a call before its run's start creates the run as ``running``,
and a start arriving later fills in its name and metadata without touching the status."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import asyncpg

from cognive_ingest.domain.telemetry import ITEM_KINDS, KIND_OF_TYPE, TELEMETRY_TYPES
from cognive_runtime.eventlog import RecordedEvent
from cognive_runtime.projections import TableNames


@dataclass(slots=True)
class _RunDelta:
    agent_id: str
    team_id: str | None
    api_key_id: str | None
    first_event_at: datetime
    last_event_at: datetime
    name: str | None = None
    parent_run_id: str | None = None
    metadata: str | None = None
    tags: str | None = None
    started_at: datetime | None = None
    status: str = "running"
    error: str | None = None
    ended_at: datetime | None = None
    duration_ms: int | None = None
    counts: dict[str, int] = field(default_factory=lambda: dict.fromkeys(ITEM_KINDS, 0))
    input_tokens: int = 0
    output_tokens: int = 0

    def add(self, kind: str, data: dict[str, Any], occurred_at: datetime) -> None:
        self.first_event_at = min(self.first_event_at, occurred_at)
        self.last_event_at = max(self.last_event_at, occurred_at)
        if kind == "run_started":
            self.started_at = occurred_at
            self.name = data.get("name")
            self.parent_run_id = data.get("parent_run_id")
            self.metadata = json.dumps(data.get("metadata") or {})
            self.tags = json.dumps(data.get("tags") or [])
        elif kind == "run_ended":
            self.status = data["status"]
            self.error = data.get("error")
            self.ended_at = occurred_at
            self.duration_ms = data.get("duration_ms")
        else:
            self.counts[kind] += 1
            if kind == "llm_call":
                usage = data.get("usage") or {}
                self.input_tokens += int(usage.get("input_tokens", 0))
                self.output_tokens += int(usage.get("output_tokens", 0))


_UPSERT_RUNS = """
INSERT INTO {runs} AS r (
    run_id, agent_id, team_id, api_key_id, name, parent_run_id, metadata, tags, started_at,
    status, error, ended_at, duration_ms, first_event_at, last_event_at,
    step_count, llm_call_count, tool_call_count, input_tokens, output_tokens)
SELECT u.run_id, u.agent_id, u.team_id, u.api_key_id, u.name, u.parent_run_id,
       COALESCE(u.metadata::jsonb, '{{}}'::jsonb),
       COALESCE(ARRAY(SELECT jsonb_array_elements_text(u.tags::jsonb)), '{{}}'),
       u.started_at, u.status, u.error, u.ended_at, u.duration_ms, u.first_event_at,
       u.last_event_at, u.steps, u.llm_calls, u.tool_calls, u.input_tokens, u.output_tokens
FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[],
            $7::text[], $8::text[], $9::timestamptz[], $10::text[], $11::text[],
            $12::timestamptz[], $13::bigint[], $14::timestamptz[], $15::timestamptz[],
            $16::int[], $17::int[], $18::int[], $19::bigint[], $20::bigint[])
    AS u(run_id, agent_id, team_id, api_key_id, name, parent_run_id, metadata, tags,
         started_at, status, error, ended_at, duration_ms, first_event_at, last_event_at,
         steps, llm_calls, tool_calls, input_tokens, output_tokens)
ON CONFLICT (run_id) DO UPDATE SET
    name = CASE WHEN excluded.started_at IS NULL THEN r.name ELSE excluded.name END,
    parent_run_id = CASE WHEN excluded.started_at IS NULL THEN r.parent_run_id
                         ELSE excluded.parent_run_id END,
    metadata = CASE WHEN excluded.started_at IS NULL THEN r.metadata ELSE excluded.metadata END,
    tags = CASE WHEN excluded.started_at IS NULL THEN r.tags ELSE excluded.tags END,
    started_at = COALESCE(excluded.started_at, r.started_at),
    status = CASE WHEN excluded.status = 'running' THEN r.status ELSE excluded.status END,
    error = CASE WHEN excluded.status = 'running' THEN r.error ELSE excluded.error END,
    ended_at = COALESCE(excluded.ended_at, r.ended_at),
    duration_ms = CASE WHEN excluded.status = 'running' THEN r.duration_ms
                       ELSE excluded.duration_ms END,
    first_event_at = LEAST(r.first_event_at, excluded.first_event_at),
    last_event_at = GREATEST(r.last_event_at, excluded.last_event_at),
    step_count = r.step_count + excluded.step_count,
    llm_call_count = r.llm_call_count + excluded.llm_call_count,
    tool_call_count = r.tool_call_count + excluded.tool_call_count,
    input_tokens = r.input_tokens + excluded.input_tokens,
    output_tokens = r.output_tokens + excluded.output_tokens
"""


class RunsProjection:
    name = "runs"
    tables = ("runs",)
    types: frozenset[str] | None = TELEMETRY_TYPES

    async def apply(
        self, conn: asyncpg.Connection, events: Sequence[RecordedEvent], tables: TableNames
    ) -> None:
        runs: dict[str, _RunDelta] = {}
        for event in events:
            kind = KIND_OF_TYPE[event.type]
            data = event.data
            occurred_at = datetime.fromisoformat(data["occurred_at"])
            run_id = data["run_id"]
            delta = runs.get(run_id)
            if delta is None:
                delta = runs[run_id] = _RunDelta(
                    agent_id=data["agent_id"],
                    team_id=data.get("team_id"),
                    api_key_id=data.get("api_key_id"),
                    first_event_at=occurred_at,
                    last_event_at=occurred_at,
                )
            delta.add(kind, data, occurred_at)
        await conn.execute(_UPSERT_RUNS.format(runs=tables["runs"]), *_run_columns(runs))


def _run_columns(runs: dict[str, _RunDelta]) -> list[list[Any]]:
    columns: list[list[Any]] = [[] for _ in range(20)]
    for run_id, d in runs.items():
        row = (
            run_id,
            d.agent_id,
            d.team_id,
            d.api_key_id,
            d.name,
            d.parent_run_id,
            d.metadata,
            d.tags,
            d.started_at,
            d.status,
            d.error,
            d.ended_at,
            d.duration_ms,
            d.first_event_at,
            d.last_event_at,
            d.counts["step"],
            d.counts["llm_call"],
            d.counts["tool_call"],
            d.input_tokens,
            d.output_tokens,
        )
        for column, value in zip(columns, row, strict=True):
            column.append(value)
    return columns
