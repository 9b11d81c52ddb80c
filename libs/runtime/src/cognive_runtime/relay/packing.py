"""Which log events travel together in one AMQP message.

Batching is the relay's throughput lever (ARCHITECTURE §3), but a message carries one
type (it has one routing key) and must keep log order, so only *consecutive* events of
the same type are packed, at most `per_message` of them."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol, TypeVar


class _Typed(Protocol):
    @property
    def type(self) -> str: ...


T = TypeVar("T", bound=_Typed)


def pack(events: Sequence[T], per_message: int) -> list[list[T]]:
    """Split `events` (in log order) into runs of one type of at most `per_message`.

    Concatenating the result gives `events` back unchanged: order is never touched."""
    if per_message < 1:
        raise ValueError("per_message must be at least 1")
    groups: list[list[T]] = []
    current: list[T] = []
    current_type = ""
    for event in events:
        if current and (event.type != current_type or len(current) >= per_message):
            groups.append(current)
            current = []
        if not current:
            current_type = event.type
        current.append(event)
    if current:
        groups.append(current)
    return groups
