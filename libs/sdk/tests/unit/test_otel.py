"""With a tracer provider configured, runs and calls become spans with the GenAI semantic
conventions, and each event carries its span's traceparent."""

from __future__ import annotations

import pytest
from opentelemetry import trace
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

import cognive
from cognive.client import Agent

from ..receiver import Receiver

pytestmark = pytest.mark.unit


@pytest.fixture
def exporter() -> InMemorySpanExporter:
    exporter = InMemorySpanExporter()
    provider = trace.get_tracer_provider()
    if not isinstance(provider, TracerProvider):
        provider = TracerProvider()
        trace.set_tracer_provider(provider)
    provider.add_span_processor(SimpleSpanProcessor(exporter))  # type: ignore[union-attr]
    return exporter


def test_runs_and_calls_become_genai_spans(exporter: InMemorySpanExporter) -> None:
    with Receiver() as receiver:
        client = cognive.Client(api_key="k", ingest_url=receiver.url, flush_interval_s=0.05)
        with Agent(client, "agent-o", "otel-bot").run() as run:
            run.log_llm_call(
                model="gpt-4o",
                provider="openai",
                input_tokens=100,
                output_tokens=20,
                cached_input_tokens=60,
                reasoning_tokens=5,
                latency_ms=250,
            )
            run.log_tool_call("search", latency_ms=30)
        assert client.flush(10)
        client.close()
    spans = {s.name: s for s in exporter.get_finished_spans()}
    assert set(spans) >= {"invoke_agent otel-bot", "chat gpt-4o", "execute_tool search"}
    chat = spans["chat gpt-4o"]
    assert chat.attributes is not None
    assert chat.attributes["gen_ai.request.model"] == "gpt-4o"
    assert chat.attributes["gen_ai.usage.input_tokens"] == 100
    assert chat.attributes["gen_ai.usage.cache_read.input_tokens"] == 60
    assert chat.attributes["gen_ai.usage.reasoning.output_tokens"] == 5
    assert chat.parent is not None
    assert chat.parent.span_id == spans["invoke_agent otel-bot"].context.span_id
    trace_id = format(chat.context.trace_id, "032x")
    events = receiver.events
    assert all(trace_id in e["traceparent"] for e in events)
    call = next(e for e in events if e["kind"] == "llm_call")
    assert call["traceparent"].split("-")[2] == format(chat.context.span_id, "016x")
