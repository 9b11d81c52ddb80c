"""An OpenAI Agents SDK tracing processor: a trace becomes a Cognive run, generation and
response spans become `llm_call`s with usage, function spans become `tool_call`s.

    from agents import add_trace_processor
    add_trace_processor(CogniveTracingProcessor(agent))
"""

from __future__ import annotations

import threading
from datetime import datetime
from typing import Any, Optional

from agents.tracing import (
    FunctionSpanData,
    GenerationSpanData,
    ResponseSpanData,
    Span,
    Trace,
    TracingProcessor,
)

from cognive.client import Agent
from cognive.run import Run
from cognive.usage import Usage, call_info


def _latency_ms(span: Span[Any]) -> int:
    try:
        started = datetime.fromisoformat(str(span.started_at))
        ended = datetime.fromisoformat(str(span.ended_at))
    except (TypeError, ValueError):
        return 0
    return max(0, int((ended - started).total_seconds() * 1000))


def _error(span: Span[Any]) -> Optional[str]:
    error = span.error
    if not error:
        return None
    return str(error.get("message") if isinstance(error, dict) else error)[:1000]


class CogniveTracingProcessor(TracingProcessor):
    def __init__(self, agent: Agent, provider: str = "openai") -> None:
        self.agent = agent
        self.provider = provider
        self._runs: dict[str, Run] = {}
        self._lock = threading.Lock()

    def on_trace_start(self, trace: Trace) -> None:
        run = self.agent.run(name=trace.name, run_id=trace.trace_id).start()
        with self._lock:
            self._runs[trace.trace_id] = run

    def on_trace_end(self, trace: Trace) -> None:
        with self._lock:
            run = self._runs.pop(trace.trace_id, None)
        if run is not None:
            run.end("success")

    def on_span_start(self, span: Span[Any]) -> None:
        pass

    def on_span_end(self, span: Span[Any]) -> None:
        run = self._runs.get(span.trace_id)
        if run is None:
            return
        data = span.span_data
        error = _error(span)
        if isinstance(data, GenerationSpanData):
            usage = data.usage or {}
            run.log_llm_call(
                model=data.model or "unknown",
                provider=self.provider,
                input_tokens=int(usage.get("input_tokens", 0) or 0),
                output_tokens=int(usage.get("output_tokens", 0) or 0),
                latency_ms=_latency_ms(span),
                status="error" if error else "ok",
                error=error,
            )
        elif isinstance(data, ResponseSpanData) and data.response is not None:
            info = call_info(data.response)
            counts = info.usage if info else Usage()
            run.log_llm_call(
                model=(info.model if info else None) or "unknown",
                provider=self.provider,
                input_tokens=counts.input_tokens,
                output_tokens=counts.output_tokens,
                cached_input_tokens=counts.cached_input_tokens,
                cache_write_tokens=counts.cache_write_tokens,
                reasoning_tokens=counts.reasoning_tokens,
                latency_ms=_latency_ms(span),
                status="error" if error else "ok",
                error=error,
                provider_request_id=info.request_id if info else None,
            )
        elif isinstance(data, FunctionSpanData):
            run.log_tool_call(
                data.name,
                status="error" if error else "ok",
                latency_ms=_latency_ms(span),
                error=error,
            )

    def shutdown(self) -> None:
        self.agent.client.flush(5)

    def force_flush(self) -> None:
        self.agent.client.flush(5)
