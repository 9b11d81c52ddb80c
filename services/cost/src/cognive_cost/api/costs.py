"""/v1/costs: trends, summaries and one call's cost, from the rollups and calls models.

Trends and summaries are cached in Redis under a key that includes the rollups
projection's checkpoint: newer data moves the checkpoint, so a cached answer is never
stale and nothing has to be invalidated by hand."""

from __future__ import annotations

import contextlib
import hashlib
from datetime import UTC, datetime, timedelta
from typing import Annotated, Any

import orjson
from fastapi import APIRouter, Query
from fastapi.responses import Response
from pydantic import BaseModel

from cognive_contracts.http.cost import (
    Bucket,
    CallCostOut,
    GroupBy,
    SummaryGroup,
    SummaryOut,
    TrendsOut,
)
from cognive_cost.api.deps import CostState, Reader, State
from cognive_runtime.eventlog import load_checkpoint
from cognive_runtime.http.commands import not_found, readable_teams
from cognive_runtime.problems import FieldProblem, ProblemError, problem_type
from cognive_runtime.projections.base import checkpoint_name

router = APIRouter(prefix="/v1/costs", tags=["costs"])

_COLUMN = {"agent": "agent_id", "team": "team_id", "model": "model", "provider": "provider"}
MAX_RANGE = {"hour": timedelta(days=93), "day": timedelta(days=3 * 366)}


def _range(frm: datetime | None, to: datetime | None, bucket: str) -> tuple[datetime, datetime]:
    to = (to or datetime.now(UTC)).astimezone(UTC)
    frm = (frm or to - timedelta(days=30)).astimezone(UTC)
    if frm >= to:
        raise ProblemError(
            422,
            "Unprocessable Content",
            "`from` must be before `to`",
            type=problem_type("validation"),
            errors=[FieldProblem("from", "must be before to")],
        )
    if to - frm > MAX_RANGE[bucket]:
        raise ProblemError(
            422,
            "Unprocessable Content",
            f"at most {MAX_RANGE[bucket].days} days of {bucket}ly buckets",
            type=problem_type("validation"),
            errors=[FieldProblem("from", "range too long for this bucket")],
        )
    return frm, to


def _body(value: Any) -> bytes:
    if isinstance(value, BaseModel):
        value = value.model_dump(mode="json", by_alias=True)
    return orjson.dumps(value, option=orjson.OPT_UTC_Z)


async def _cached(state: CostState, kind: str, params: dict[str, Any], build: Any) -> Response:
    if not state.settings.cache_enabled:
        body = _body(await build())
        return Response(body, media_type="application/json", headers={"X-Cache": "off"})
    position = await load_checkpoint(state.pool, checkpoint_name("rollups"))
    digest = hashlib.sha256(orjson.dumps(params, option=orjson.OPT_SORT_KEYS)).hexdigest()[:32]
    key = f"{state.redis_prefix}{kind}:{position.global_position}:{digest}"
    try:
        hit = await state.redis.get(key)
    except Exception:  # the cache is an optimisation: Redis away means compute
        hit = None
    if hit is not None:
        return Response(hit, media_type="application/json", headers={"X-Cache": "hit"})
    body = _body(await build())
    with contextlib.suppress(Exception):
        await state.redis.set(key, body, ex=state.settings.cache_ttl_s)
    return Response(body, media_type="application/json", headers={"X-Cache": "miss"})


@router.get("/trends", response_model=TrendsOut)
async def trends(
    state: State,
    principal: Reader,
    group_by: GroupBy = "team",
    bucket: Bucket = "day",
    frm: Annotated[datetime | None, Query(alias="from")] = None,
    to: datetime | None = None,
    team_id: str | None = None,
) -> Response:
    frm, to = _range(frm, to, bucket)
    teams = _teams(principal, team_id)
    # Hourly trends not by agent read the narrow per-team-and-model table.
    table = {
        ("hour", False): "cost_hourly_tm",
        ("hour", True): "cost_hourly",
    }.get((bucket, group_by == "agent"), "cost_daily")
    column = _COLUMN[group_by]

    async def build() -> dict[str, Any]:
        # Thousands of points: built as plain dicts (the shape of TrendsOut) rather than
        # validated models, which cost more than the query.
        rows = await state.pool.fetch(
            f"SELECT bucket, {column} AS grp, sum(total_micros)::bigint AS total,"
            f" sum(calls)::bigint AS calls FROM {table}"
            " WHERE bucket >= $1 AND bucket < $2 AND ($3::text[] IS NULL OR team_id = ANY($3))"
            f" GROUP BY bucket, {column} ORDER BY bucket, {column}",
            _floor(frm, bucket),
            to,
            teams,
        )
        return {
            "group_by": group_by,
            "bucket": bucket,
            "from": frm,
            "to": to,
            "points": [
                {
                    "bucket": r["bucket"],
                    "group": r["grp"],
                    "total_micros": r["total"],
                    "calls": r["calls"],
                }
                for r in rows
            ],
        }

    params = {"g": group_by, "b": bucket, "f": frm.isoformat(), "t": to.isoformat(), "teams": teams}
    return await _cached(state, "trends", params, build)


@router.get("/summary", response_model=SummaryOut)
async def summary(
    state: State,
    principal: Reader,
    group_by: GroupBy = "team",
    frm: Annotated[datetime | None, Query(alias="from")] = None,
    to: datetime | None = None,
    team_id: str | None = None,
) -> Response:
    frm, to = _range(frm, to, "day")
    teams = _teams(principal, team_id)
    column = _COLUMN[group_by]
    hourly = "cost_hourly" if group_by == "agent" else "cost_hourly_tm"
    # Whole days from the daily table, the ragged edges from the hourly one.
    start_day = _floor(frm, "day") + (
        timedelta(days=1) if frm != _floor(frm, "day") else timedelta()
    )
    end_day = _floor(to, "day")

    async def build() -> SummaryOut:
        rows = await state.pool.fetch(
            f"""SELECT grp, sum(total)::bigint AS total, sum(calls)::bigint AS calls,
                sum(input_tokens)::bigint AS input_tokens,
                sum(output_tokens)::bigint AS output_tokens FROM (
              SELECT {column} AS grp, total_micros AS total, calls, input_tokens, output_tokens
              FROM cost_daily WHERE bucket >= $1 AND bucket < $2
                AND ($5::text[] IS NULL OR team_id = ANY($5))
              UNION ALL
              SELECT {column}, total_micros, calls, input_tokens, output_tokens
              FROM {hourly} WHERE ((bucket >= $3 AND bucket < least($1, $4))
                OR (bucket >= greatest($2, $3) AND bucket < $4))
                AND ($5::text[] IS NULL OR team_id = ANY($5))
            ) x GROUP BY grp ORDER BY total DESC, grp""",
            start_day,
            max(start_day, end_day),
            _floor(frm, "hour"),
            to,
            teams,
        )
        unpriced = await state.pool.fetchval(
            "SELECT count(*) FROM calls WHERE status = 'unpriced' AND occurred_at >= $1"
            " AND occurred_at < $2 AND ($3::text[] IS NULL OR team_id = ANY($3))",
            frm,
            to,
            teams,
        )
        groups = [
            SummaryGroup(
                group=r["grp"],
                total_micros=r["total"],
                calls=r["calls"],
                input_tokens=r["input_tokens"],
                output_tokens=r["output_tokens"],
            )
            for r in rows
        ]
        return SummaryOut(
            from_=frm,
            to=to,
            group_by=group_by,
            total_micros=sum(g.total_micros for g in groups),
            calls=sum(g.calls for g in groups),
            groups=groups,
            unpriced_calls=unpriced,
        )

    params = {"g": group_by, "f": frm.isoformat(), "t": to.isoformat(), "teams": teams}
    return await _cached(state, "summary", params, build)


@router.get("/calls/{call_id}", response_model=CallCostOut)
async def call_cost(call_id: str, state: State, principal: Reader) -> CallCostOut:
    row = await state.pool.fetchrow("SELECT * FROM calls WHERE call_id = $1", call_id)
    teams = readable_teams(principal)
    if row is None or (teams is not None and row["team_id"] not in teams):
        raise not_found(f"call {call_id}")
    return CallCostOut(
        call_id=row["call_id"],
        run_id=row["run_id"],
        agent_id=row["agent_id"],
        team_id=row["team_id"],
        provider=row["provider"],
        model=row["model"],
        occurred_at=row["occurred_at"],
        usage=row["usage"],
        status=row["status"],
        total_micros=row["total_micros"],
        breakdown=row["breakdown"],
        price_id=row["price_id"],
    )


def _teams(principal: Any, team_id: str | None) -> list[str] | None:
    teams = readable_teams(principal)
    if team_id is None:
        return teams
    if teams is not None and team_id not in teams:
        raise ProblemError(
            403, "Forbidden", f"no access to team {team_id}", type=problem_type("forbidden")
        )
    return [team_id]


def _floor(at: datetime, bucket: str) -> datetime:
    at = at.astimezone(UTC)
    if bucket == "hour":
        return at.replace(minute=0, second=0, microsecond=0)
    return at.replace(hour=0, minute=0, second=0, microsecond=0)
