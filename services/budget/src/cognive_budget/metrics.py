"""Budget's own Prometheus metrics (the runtime's cover the log, relay and consumers)."""

from __future__ import annotations

from prometheus_client import Counter, Histogram

CHECKS = Counter("cognive_budget_checks_total", "Pre-flight checks by outcome", ["outcome"])
CHECK_LATENCY = Histogram(
    "cognive_budget_check_seconds",
    "Pre-flight check latency inside the service",
    buckets=(0.0005, 0.001, 0.002, 0.003, 0.005, 0.0075, 0.01, 0.025, 0.05, 0.1, 0.25),
)
SPEND_APPLIED_TOTAL = Counter(
    "cognive_budget_spend_applied_total", "Priced and repriced calls applied to the ledger"
)
THRESHOLDS_CROSSED = Counter(
    "cognive_budget_alerts_total", "Threshold and exceeded alerts emitted", ["type"]
)
RESERVATIONS_EXPIRED = Counter(
    "cognive_budget_reservations_expired_total", "Reservations released unsettled"
)
REDIS_REBUILDS = Counter(
    "cognive_budget_redis_rebuilds_total", "Rebuilds of the Redis counters from the ledger"
)
