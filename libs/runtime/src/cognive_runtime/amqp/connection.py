"""The AMQP connection a service keeps for its lifetime."""

from __future__ import annotations

import aio_pika
from aio_pika.abc import AbstractRobustConnection


async def connect_amqp(url: str, *, name: str = "cognive") -> AbstractRobustConnection:
    """A robust connection: channels and declarations come back by themselves after a
    broker restart; publishes and consumes in flight at that moment fail, and their owners
    (relay, consumers) retry from their own checkpoints."""
    return await aio_pika.connect_robust(url, client_properties={"connection_name": name})
