"""Ingest's domain metrics (the runtime's shared ones live in cognive_runtime.metrics)."""

from __future__ import annotations

from prometheus_client import Counter, Gauge

EVENTS_SUBMITTED = Counter(
    "cognive_ingest_events_total",
    "Events submitted to POST /v1/events by outcome (accepted, duplicate, rejected)",
    ["service", "outcome"],
)
POLICY_VIOLATIONS = Counter(
    "cognive_ingest_policy_violations_total", "Policy violations recorded", ["service"]
)
POLICY_PENDING = Gauge(
    "cognive_ingest_policy_pending_calls",
    "Calls waiting for their agent's registry event before their policy check",
    ["service"],
)
