"""Probes and metrics: /health/live, /health/ready, /health/startup, /metrics."""

from __future__ import annotations

import asyncio
from typing import Any

from fastapi import APIRouter, Request, Response
from fastapi.responses import JSONResponse
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from cognive_runtime.problems import PROBLEM_CONTENT_TYPE

router = APIRouter(include_in_schema=False)

CHECK_TIMEOUT_S = 2.0


@router.get("/health/live")
async def live() -> dict[str, str]:
    """The process answers: nothing else, so that a Postgres outage never restarts pods."""
    return {"status": "ok"}


@router.get("/health/startup")
async def startup(request: Request) -> JSONResponse:
    res: Any = getattr(request.app.state, "resources", None)
    pending = {"startup": "pending"} if res is None or not res.started else await res.warm()
    if any(v != "ok" for v in pending.values()):
        return JSONResponse(
            {"type": "about:blank", "title": "Starting", "status": 503, "checks": pending},
            status_code=503,
            media_type=PROBLEM_CONTENT_TYPE,
        )
    return JSONResponse({"status": "ok"})


async def _check(name: str, probe: Any) -> tuple[str, str]:
    try:
        await asyncio.wait_for(probe, CHECK_TIMEOUT_S)
    except Exception as exc:
        return name, type(exc).__name__
    return name, "ok"


@router.get("/health/ready")
async def ready(request: Request) -> JSONResponse:
    """Postgres, Redis and the broker connection: a replica that cannot reach them gets no
    traffic until it can."""
    res: Any = getattr(request.app.state, "resources", None)
    if res is None or not res.started:
        checks = {"startup": "pending"}
    else:

        async def broker() -> None:
            if res.amqp.is_closed:
                raise ConnectionError("closed")

        checks = dict(
            await asyncio.gather(
                _check("postgres", res.pool.fetchval("SELECT 1")),
                _check("redis", res.redis.ping()),
                _check("rabbitmq", broker()),
            )
        )
        checks.update(await res.warm())
    if all(v == "ok" for v in checks.values()):
        return JSONResponse({"status": "ok", "checks": checks})
    failing = ", ".join(k for k, v in checks.items() if v != "ok")
    return JSONResponse(
        {
            "type": "about:blank",
            "title": "Service Unavailable",
            "status": 503,
            "detail": f"not ready: {failing}",
            "checks": checks,
        },
        status_code=503,
        media_type=PROBLEM_CONTENT_TYPE,
    )


@router.get("/metrics")
async def metrics() -> Response:
    return Response(generate_latest(), media_type=CONTENT_TYPE_LATEST)
