"""Structured logs and traces, configured once per process."""

from cognive_runtime.observability.logs import configure_logging
from cognive_runtime.observability.tracing import (
    configure_tracing,
    context_from_traceparent,
    current_traceparent,
)

__all__ = [
    "configure_logging",
    "configure_tracing",
    "context_from_traceparent",
    "current_traceparent",
]
