"""The Prometheus metrics every service exports, defined once.

Labels carry the service name so that one dashboard serves all five; queue and loop names
are bounded sets (from the topology manifest and the service's wiring), never ids."""

from __future__ import annotations

from prometheus_client import Counter, Gauge, Histogram

RELAY_LAG_EVENTS = Gauge(
    "cognive_relay_lag_events", "Events in the log not yet confirmed by the broker", ["service"]
)
RELAY_LAG_SECONDS = Gauge(
    "cognive_relay_lag_seconds",
    "Age of the oldest event in the log not yet confirmed by the broker",
    ["service"],
)
RELAY_PUBLISHED = Counter(
    "cognive_relay_published_events_total", "Events published with a confirm", ["service"]
)
RELAY_MESSAGES = Counter(
    "cognive_relay_published_messages_total", "AMQP messages published with a confirm", ["service"]
)

CONSUMER_EVENTS = Counter(
    "cognive_consumer_events_total",
    "Consumed events by outcome (applied, duplicate, poison)",
    ["service", "queue", "outcome"],
)
CONSUMER_LAG_MESSAGES = Gauge(
    "cognive_consumer_lag_messages", "Messages ready in a consumed queue", ["service", "queue"]
)
CONSUMER_RETRIES = Counter(
    "cognive_consumer_infrastructure_retries_total",
    "Times a message was held and retried because of infrastructure trouble",
    ["service", "queue"],
)
DLQ_DEPTH = Gauge("cognive_dlq_depth_messages", "Messages in the service's DLQ", ["service"])
HANDLER_LATENCY = Histogram(
    "cognive_handler_latency_seconds",
    "Time to apply one group of consumed messages (all their events) in one transaction",
    ["service", "queue"],
    buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5),
)

PROJECTION_LAG_EVENTS = Gauge(
    "cognive_projection_lag_events",
    "Events of the log after a projection's checkpoint (of every type: it walks past them too)",
    ["service", "projection"],
)
PROJECTION_APPLIED = Counter(
    "cognive_projection_applied_events_total",
    "Events applied by a projection",
    ["service", "projection"],
)

OLDEST_TRANSACTION_AGE = Gauge(
    "cognive_postgres_oldest_transaction_age_seconds",
    "Age of the oldest running transaction in the cluster: it holds every gap-free reader",
    ["service"],
)
LEADER = Gauge(
    "cognive_leader", "1 while this replica holds the leader lock of a loop", ["service", "loop"]
)
API_KEY_REFUSALS = Counter(
    "cognive_api_key_refusals_total",
    "API keys refused, by reason (malformed, missing, wrong_secret, revoked, expired): a "
    "rising `revoked` or `wrong_secret` count is a leaked or stale key still in use",
    ["reason"],
)
