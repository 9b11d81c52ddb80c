"""What a consumer hands to a service's handler, and how a handler says "never".

A handler is a typed async function of a connection already inside the transaction that
holds the inbox rows, and the new (non-duplicate) events of one message, all of one type:

    async def on_llm_call(
        conn: asyncpg.Connection, events: Sequence[Inbound[LlmCallRecordedV1]]
    ) -> None

It writes its effects (usually appends to the service's own log) with `conn`; the consumer
commits, then acknowledges."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

import asyncpg

from cognive_contracts.envelope import EventHead
from cognive_contracts.events.base import EventPayload

P = TypeVar("P", bound=EventPayload)


@dataclass(frozen=True, slots=True)
class Inbound(Generic[P]):
    """One consumed event: read its data as `payload`. `envelope` is a `CloudEvent` (data as
    it came) on a route that asks for that (`Route.raw_envelope`); on other routes it is
    either a `TypedEvent` (the one-pass read) or, for a message that needed the item by
    item read, a `CloudEvent`."""

    envelope: EventHead
    payload: P

    @property
    def event_id(self) -> uuid.UUID:
        return self.envelope.id


Handler = Callable[[asyncpg.Connection, Sequence[Inbound[Any]]], Awaitable[None]]


class PoisonEvent(Exception):
    """A domain rule that can never pass for this event: retrying would not help.

    The consumer splits the message, and the event that raises this alone goes to the DLQ
    with `reason` in its headers; the rest of the message is applied."""

    def __init__(self, reason: str, detail: str = "") -> None:
        super().__init__(f"{reason}: {detail}" if detail else reason)
        self.reason = reason
        self.detail = detail
