"""Queue consumers: validation, inbox dedup, DLQ for poison, hold-and-retry for trouble."""

from cognive_runtime.consumer.applier import Route
from cognive_runtime.consumer.consumer import Consumer
from cognive_runtime.consumer.decoding import Decoded, Item, PoisonItem, Reason, decode_message
from cognive_runtime.consumer.dlq import DlqMessage, DlqTarget, publish_poison, read_dlq
from cognive_runtime.consumer.retry import (
    HoldExhausted,
    RetryPolicy,
    TransientError,
    is_infrastructure,
)
from cognive_runtime.consumer.types import Handler, Inbound, PoisonEvent

__all__ = [
    "Consumer",
    "Decoded",
    "DlqMessage",
    "DlqTarget",
    "Handler",
    "HoldExhausted",
    "Inbound",
    "Item",
    "PoisonEvent",
    "PoisonItem",
    "Reason",
    "RetryPolicy",
    "Route",
    "TransientError",
    "decode_message",
    "is_infrastructure",
    "publish_poison",
    "read_dlq",
]
