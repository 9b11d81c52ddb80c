"""The relay: each service's log published to the events exchange with confirms."""

from cognive_runtime.relay.encoding import EventEncoder
from cognive_runtime.relay.packing import pack
from cognive_runtime.relay.relay import CHECKPOINT, Relay

__all__ = ["CHECKPOINT", "EventEncoder", "Relay", "pack"]
