"""The app factory: probes, metrics, problem+json, and the graceful SIGTERM path of a real
service process."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import httpx
import pytest
from fastapi import APIRouter
from pydantic import BaseModel

from cognive_runtime.problems import FieldProblem, ProblemError
from cognive_runtime.service import create_service_app
from cognive_runtime.testing import SchemaFactory, ServiceProcess, free_port
from cognive_runtime.testing.sample_service import SampleSettings

pytestmark = pytest.mark.integration


class Body(BaseModel):
    name: str
    count: int


def settings_for(schema: str, prefix: str, redis_prefix: str, **extra: object) -> SampleSettings:
    return SampleSettings(
        db_schema=schema,
        amqp_prefix=prefix,
        redis_prefix=redis_prefix,
        **extra,  # type: ignore[arg-type]
    )


async def test_probes_metrics_and_problems(
    schemas: SchemaFactory, amqp_prefix: str, redis_prefix: str
) -> None:
    schema = (await schemas.create("app")).name
    router = APIRouter()

    @router.post("/v1/things")
    async def create(body: Body) -> Body:
        return body

    @router.get("/v1/teapot")
    async def teapot() -> None:
        raise ProblemError(
            409,
            "Conflict",
            "already there",
            errors=[FieldProblem("name", "taken")],
            headers={"X-Why": "test"},
        )

    @router.get("/v1/boom")
    async def boom() -> None:
        raise RuntimeError("secret internals")

    app = create_service_app(
        settings_for(schema, amqp_prefix, redis_prefix), title="t", routers=[router]
    )
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
        async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
            assert (await client.get("/health/live")).status_code == 200
            assert (await client.get("/health/startup")).status_code == 200
            ready = await client.get("/health/ready")
            assert ready.status_code == 200, ready.text
            assert ready.json()["checks"] == {"postgres": "ok", "redis": "ok", "rabbitmq": "ok"}
            metrics = await client.get("/metrics")
            assert "cognive_postgres_oldest_transaction_age_seconds" in metrics.text

            bad = await client.post("/v1/things", json={"name": "x", "count": "many"})
            assert bad.status_code == 422
            assert bad.headers["content-type"] == "application/problem+json"
            assert [e["field"] for e in bad.json()["errors"]] == ["body.count"]

            conflict = await client.get("/v1/teapot")
            assert conflict.status_code == 409
            assert conflict.headers["x-why"] == "test"
            assert conflict.json()["errors"] == [
                {"field": "name", "msg": "taken", "type": "invalid"}
            ]

            missing = await client.get("/v1/nothing-here")
            assert missing.status_code == 404
            assert missing.json()["status"] == 404

            crash = await client.get("/v1/boom")
            assert crash.status_code == 500
            assert "secret" not in crash.text


async def test_ready_fails_when_redis_is_unreachable(
    schemas: SchemaFactory, amqp_prefix: str, redis_prefix: str
) -> None:
    schema = (await schemas.create("app")).name
    settings = settings_for(
        schema, amqp_prefix, redis_prefix, redis_url=f"redis://127.0.0.1:{free_port()}/0"
    )
    app = create_service_app(settings, title="t")
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
            ready = await client.get("/health/ready")
            assert ready.status_code == 503
            assert ready.json()["checks"]["redis"] != "ok"
            assert ready.json()["checks"]["postgres"] == "ok"
            assert (await client.get("/health/live")).status_code == 200


async def test_sigterm_drains_requests_stops_loops_and_exits_zero(
    schemas: SchemaFactory, amqp_prefix: str, redis_prefix: str, process_log_dir: Path
) -> None:
    schema = (await schemas.create("app")).name
    port = free_port()
    env = {
        "COGNIVE_SAMPLE_DB_SCHEMA": schema,
        "COGNIVE_SAMPLE_AMQP_PREFIX": amqp_prefix,
        "COGNIVE_SAMPLE_REDIS_PREFIX": redis_prefix,
        "COGNIVE_SAMPLE_HTTP_PORT": str(port),
        "COGNIVE_SAMPLE_SLOW_REQUEST_S": "1.5",
        "COGNIVE_SAMPLE_SHUTDOWN_GRACE_S": "10",
    }
    proc = ServiceProcess(
        ["cognive_runtime.testing.sample_service"],
        env=env,
        log_path=process_log_dir / "sample.log",
        ready_url=f"http://127.0.0.1:{port}/health/ready",
    )
    await proc.start(timeout=60)
    try:
        trace_id = "4bf92f3577b34da6a3ce929d0e0e4736"
        headers = {"traceparent": f"00-{trace_id}-00f067aa0ba902b7-01"}
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}", timeout=20) as client:
            in_flight = asyncio.create_task(client.get("/slow", headers=headers))
            await asyncio.sleep(0.5)  # let the request reach the handler before SIGTERM
            code = await proc.terminate(timeout=30)
            response = await in_flight
    finally:
        await proc.stop()
    assert response.status_code == 200, proc.output()[-3000:]
    assert code == 0, proc.output()[-3000:]
    lines = [json.loads(line) for line in proc.output().splitlines() if line.startswith("{")]
    events = [line["event"] for line in lines]
    assert "ticker.stopped" in events
    assert "leader.released" in events
    assert events.index("service.stopped") > events.index("ticker.stopped")
    slow = next(line for line in lines if line["event"] == "slow.done")
    assert slow["trace_id"] == trace_id, "the inbound traceparent must continue the trace"
    assert slow["service"] == "ingest"
