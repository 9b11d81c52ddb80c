"""The registry of event models: routing key → payload model, and admin-event patterns."""

from __future__ import annotations

from cognive_contracts.events import budget, cost, ingest, notification, registry
from cognive_contracts.events.base import EventPayload
from cognive_contracts.routing import topic_matches


class UnknownEventType(LookupError):
    """A routing key no model is registered for: poison for a consumer (unknown type or
    version), never silently dropped."""

    def __init__(self, routing_key: str) -> None:
        super().__init__(f"unknown event type {routing_key!r}")
        self.routing_key = routing_key


_MODULES = (ingest, registry, cost, budget, notification)


def _collect() -> dict[str, type[EventPayload]]:
    # Public classes (not the `_` mixins) that declare an event_type; the wire type is the
    # explicit string, never the class name.
    found: dict[str, type[EventPayload]] = {}
    for module in _MODULES:
        for name, obj in sorted(vars(module).items()):
            if (
                isinstance(obj, type)
                and issubclass(obj, EventPayload)
                and not name.startswith("_")
                and obj.__module__ == module.__name__
                and "event_type" in vars(obj)
            ):
                if obj.event_type in found:
                    raise RuntimeError(f"two models claim {obj.event_type!r}")
                found[obj.event_type] = obj
    return dict(sorted(found.items()))


EVENT_MODELS: dict[str, type[EventPayload]] = _collect()

# Events caused by a person or an API key acting on configuration (ARCHITECTURE §1);
# registry's audit trail records them. AMQP topic patterns.
ADMIN_EVENT_PATTERNS: tuple[str, ...] = (
    "registry.#",
    "cost.pricing.changed.*",
    "budget.policy.#",
    "notification.channel.#",
    "notification.subscription.#",
)


def model_for(routing_key: str) -> type[EventPayload]:
    try:
        return EVENT_MODELS[routing_key]
    except KeyError:
        raise UnknownEventType(routing_key) from None


def is_admin_event(routing_key: str) -> bool:
    return any(topic_matches(p, routing_key) for p in ADMIN_EVENT_PATTERNS)
