"""OpenTelemetry: one tracer provider per process; W3C traceparent carried in events.

Spans exist even without an exporter, so trace ids reach the logs and the `traceparent`
extension of every event; the OTLP exporter is added only when an endpoint is set."""

from __future__ import annotations

from opentelemetry import context as otel_context
from opentelemetry import propagate, trace
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor

_configured: dict[str, TracerProvider] = {}


def configure_tracing(service: str, otlp_endpoint: str | None = None) -> TracerProvider:
    if "provider" in _configured:
        return _configured["provider"]
    provider = TracerProvider(resource=Resource.create({"service.name": f"cognive-{service}"}))
    if otlp_endpoint:
        from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter

        provider.add_span_processor(
            BatchSpanProcessor(OTLPSpanExporter(endpoint=otlp_endpoint.rstrip("/") + "/v1/traces"))
        )
    trace.set_tracer_provider(provider)
    _configured["provider"] = provider
    return provider


def current_traceparent() -> str | None:
    """The W3C traceparent of the current span, to store in an event's metadata."""
    carrier: dict[str, str] = {}
    propagate.inject(carrier)
    return carrier.get("traceparent")


def context_from_traceparent(traceparent: str | None) -> otel_context.Context:
    if not traceparent:
        return otel_context.get_current()
    return propagate.extract({"traceparent": traceparent})
