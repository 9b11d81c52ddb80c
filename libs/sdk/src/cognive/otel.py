"""Optional OpenTelemetry: when `opentelemetry-api` is installed and the application has
configured a tracer provider, a run becomes a span and each LLM or tool call a child span
with the GenAI semantic-convention attributes; every event then carries the W3C
`traceparent` of its span, so one trace follows the call into Cognive."""

from __future__ import annotations

import time
from typing import Any, Optional

try:
    from opentelemetry import trace as _trace
    from opentelemetry.trace.propagation.tracecontext import TraceContextTextMapPropagator
except ImportError:  # the extra is not installed
    _trace = None  # type: ignore[assignment]

_propagator: Any = TraceContextTextMapPropagator() if _trace is not None else None


def enabled() -> bool:
    """True only when a real (SDK) tracer provider is configured, not the no-op default."""
    if _trace is None:
        return False
    provider = _trace.get_tracer_provider()
    return type(provider).__name__ not in ("ProxyTracerProvider", "NoOpTracerProvider")


def _traceparent(span: Any) -> Optional[str]:
    carrier: dict[str, str] = {}
    _propagator.inject(carrier, context=_trace.set_span_in_context(span))
    return carrier.get("traceparent")


class RunSpans:
    def __init__(self, agent_name: str, run_id: str) -> None:
        self._tracer = _trace.get_tracer("cognive")
        self.run_span = self._tracer.start_span(
            f"invoke_agent {agent_name}",
            attributes={
                "gen_ai.operation.name": "invoke_agent",
                "gen_ai.agent.name": agent_name,
                "cognive.run_id": run_id,
            },
        )
        self.traceparent = _traceparent(self.run_span)

    def call(
        self, name: str, attributes: dict[str, Any], latency_ms: int, error: Optional[str]
    ) -> Optional[str]:
        """A finished call as a child span (its start back-dated by its latency)."""
        end = time.time_ns()
        span = self._tracer.start_span(
            name,
            context=_trace.set_span_in_context(self.run_span),
            start_time=end - latency_ms * 1_000_000,
            attributes=attributes,
        )
        if error:
            span.set_status(_trace.Status(_trace.StatusCode.ERROR, error))
        span.end(end_time=end)
        return _traceparent(span)

    def llm(
        self,
        model: str,
        provider: str,
        usage: dict[str, int],
        latency_ms: int,
        error: Optional[str],
    ) -> Optional[str]:
        return self.call(
            f"chat {model}",
            {
                "gen_ai.operation.name": "chat",
                "gen_ai.provider.name": provider,
                "gen_ai.system": provider,
                "gen_ai.request.model": model,
                "gen_ai.usage.input_tokens": usage["input_tokens"],
                "gen_ai.usage.output_tokens": usage["output_tokens"],
                "gen_ai.usage.cache_read.input_tokens": usage["cached_input_tokens"],
                "gen_ai.usage.cache_creation.input_tokens": usage["cache_write_tokens"],
                "gen_ai.usage.reasoning.output_tokens": usage["reasoning_tokens"],
            },
            latency_ms,
            error,
        )

    def tool(self, name: str, latency_ms: int, error: Optional[str]) -> Optional[str]:
        return self.call(
            f"execute_tool {name}",
            {"gen_ai.operation.name": "execute_tool", "gen_ai.tool.name": name},
            latency_ms,
            error,
        )

    def end(self, error: Optional[str]) -> None:
        if error:
            self.run_span.set_status(_trace.Status(_trace.StatusCode.ERROR, error[:200]))
        self.run_span.end()
