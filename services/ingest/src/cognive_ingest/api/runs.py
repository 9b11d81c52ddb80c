"""``GET /v1/runs`` and ``GET /v1/runs/{run_id}``: the runs read model."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Query

from cognive_contracts.http import Page
from cognive_contracts.http.ingest import (
    LlmCallOut,
    RunDetail,
    RunStatus,
    RunSummary,
    StepOut,
    ToolCallOut,
)
from cognive_ingest.api.access import can_read, readable_teams
from cognive_ingest.api.deps import Reader, State
from cognive_ingest.domain.telemetry import ITEM_TYPES, KIND_OF_TYPE, run_stream
from cognive_runtime.http.cursor import bad_cursor, decode_cursor, encode_cursor
from cognive_runtime.problems import ProblemError, problem_type

router = APIRouter(tags=["runs"])

_COLUMNS = """run_id, agent_id, team_id, api_key_id, name, parent_run_id, status, error,
    started_at, ended_at, duration_ms, first_event_at, last_event_at, metadata, tags,
    step_count, llm_call_count, tool_call_count, input_tokens, output_tokens"""


_ITEMS = """SELECT stream_version, type, event_id, data FROM events
    WHERE stream_id = $1 AND type = ANY($2::text[]) ORDER BY stream_version"""


def _summary(row: Any) -> dict[str, Any]:
    return {**dict(row), "tags": list(row["tags"])}


@router.get("/v1/runs", response_model=Page[RunSummary], summary="List runs, newest first")
async def list_runs(
    principal: Reader,
    state: State,
    agent_id: str | None = None,
    team_id: str | None = None,
    status: RunStatus | None = None,
    started_after: Annotated[datetime | None, Query(description="first event at or after")] = None,
    started_before: Annotated[datetime | None, Query(description="first event before")] = None,
    limit: Annotated[int | None, Query(ge=1, le=500)] = None,
    cursor: str | None = None,
) -> Page[RunSummary]:
    teams = readable_teams(principal, team_id)
    size = min(limit or state.settings.page_size_default, state.settings.page_size_max)
    where: list[str] = []
    args: list[Any] = []

    def add(clause: str, *values: Any) -> None:
        for value in values:
            args.append(value)
            clause = clause.replace("?", f"${len(args)}", 1)
        where.append(clause)

    if teams is not None:
        add("team_id = ANY(?::text[])", teams)
    if agent_id is not None:
        add("agent_id = ?", agent_id)
    if status is not None:
        add("status = ?", status)
    if started_after is not None:
        add("first_event_at >= ?", started_after)
    if started_before is not None:
        add("first_event_at < ?", started_before)
    if cursor is not None:
        at, run = decode_cursor(cursor, 2)
        try:
            at_time = datetime.fromisoformat(str(at))
        except ValueError as exc:
            raise bad_cursor() from exc
        if not isinstance(run, str):
            raise bad_cursor()
        add("(first_event_at, run_id) < (?, ?)", at_time, run)
    args.append(size + 1)
    sql = (
        f"SELECT {_COLUMNS} FROM runs"
        + (" WHERE " + " AND ".join(where) if where else "")
        + f" ORDER BY first_event_at DESC, run_id DESC LIMIT ${len(args)}"
    )
    rows = await state.pool.fetch(sql, *args)
    items = [RunSummary.model_validate(_summary(r)) for r in rows[:size]]
    next_cursor = None
    if len(rows) > size:
        last = rows[size - 1]
        next_cursor = encode_cursor(last["first_event_at"].isoformat(), last["run_id"])
    return Page[RunSummary](items=items, next_cursor=next_cursor)


@router.get(
    "/v1/runs/{run_id}",
    response_model=RunDetail,
    summary="One run with its steps, LLM calls and tool calls in order",
    responses={404: {"description": "No such run, or not one the caller may read"}},
)
async def get_run(run_id: str, principal: Reader, state: State) -> RunDetail:
    async with state.pool.acquire() as conn:
        row = await conn.fetchrow(f"SELECT {_COLUMNS} FROM runs WHERE run_id = $1", run_id)
        # Another team's run answers like a missing one: its existence is not disclosed.
        if row is None or not can_read(principal, row["team_id"]):
            raise ProblemError(
                status=404,
                title="Not Found",
                detail=f"no run {run_id}",
                type=problem_type("not-found"),
            )
        # A run's items are the events of its stream in ingest's own log (migration 0003):
        # the log is append-only and indexed by (stream_id, stream_version), so no read
        # model keeps a second list of them.
        rows = await conn.fetch(_ITEMS, run_stream(run_id), sorted(ITEM_TYPES))
    items = sorted(
        (
            (
                KIND_OF_TYPE[r["type"]],
                {
                    **r["data"],
                    "seq": r["stream_version"],
                    "event_id": r["event_id"],
                    "occurred_at": datetime.fromisoformat(r["data"]["occurred_at"]),
                },
            )
            for r in rows
        ),
        key=lambda item: (item[1]["occurred_at"], item[1]["seq"]),
    )
    detail: dict[str, Any] = {**_summary(row), "steps": [], "llm_calls": [], "tool_calls": []}
    for kind, fields in items:
        if kind == "step":
            detail["steps"].append(StepOut.model_validate(fields))
        elif kind == "llm_call":
            detail["llm_calls"].append(LlmCallOut.model_validate(fields))
        else:
            detail["tool_calls"].append(ToolCallOut.model_validate(fields))
    return RunDetail.model_validate(detail)
