"""Queue consumers: validation, inbox dedup, DLQ for poison, hold-and-retry for trouble."""

from cognive_runtime.consumer.types import Handler, Inbound, PoisonEvent

__all__ = ["Handler", "Inbound", "PoisonEvent"]
