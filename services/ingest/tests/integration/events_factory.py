"""Event bodies as the SDK sends them."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

T0 = datetime(2026, 1, 1, tzinfo=UTC)


def at(seconds: float) -> str:
    return (T0 + timedelta(seconds=seconds)).isoformat()


def base(kind: str, run_id: str, agent_id: str, seconds: float) -> dict[str, Any]:
    return {
        "kind": kind,
        "event_id": str(uuid.uuid4()),
        "run_id": run_id,
        "agent_id": agent_id,
        "occurred_at": at(seconds),
    }


def run_started(run_id: str, agent_id: str, seconds: float = 0, **kw: Any) -> dict[str, Any]:
    return {**base("run_started", run_id, agent_id, seconds), "name": "run", **kw}


def run_ended(
    run_id: str, agent_id: str, seconds: float, status: str = "success", **kw: Any
) -> dict[str, Any]:
    return {**base("run_ended", run_id, agent_id, seconds), "status": status, **kw}


def step(run_id: str, agent_id: str, seconds: float, name: str = "plan") -> dict[str, Any]:
    return {
        **base("step", run_id, agent_id, seconds),
        "step_id": f"s-{seconds}",
        "name": name,
        "payload": {"n": seconds},
    }


def llm_call(
    run_id: str, agent_id: str, seconds: float = 1, model: str = "gpt-4o", **kw: Any
) -> dict[str, Any]:
    return {
        **base("llm_call", run_id, agent_id, seconds),
        "call_id": f"c-{uuid.uuid4().hex[:8]}",
        "provider": "openai",
        "model": model,
        "usage": {
            "input_tokens": 1200,
            "output_tokens": 300,
            "cached_input_tokens": 1000,
            "cache_write_tokens": 0,
            "reasoning_tokens": 100,
        },
        "latency_ms": 850,
        "status": "ok",
        "provider_request_id": "req-1",
        **kw,
    }


def tool_call(
    run_id: str, agent_id: str, seconds: float, name: str = "search", **kw: Any
) -> dict[str, Any]:
    return {
        **base("tool_call", run_id, agent_id, seconds),
        "call_id": f"t-{uuid.uuid4().hex[:8]}",
        "name": name,
        "status": "ok",
        "latency_ms": 12,
        **kw,
    }
