"""Notification's own Prometheus metrics."""

from __future__ import annotations

from prometheus_client import Counter, Histogram

DELIVERIES = Counter(
    "cognive_notification_deliveries_total",
    "Delivery attempts by channel kind and resulting status",
    ["kind", "status"],
)
ATTEMPT_SECONDS = Histogram(
    "cognive_notification_attempt_seconds", "Time of one delivery attempt", ["kind"]
)
DELIVERIES_CREATED = Counter(
    "cognive_notification_deliveries_enqueued_total", "Deliveries created from events"
)
