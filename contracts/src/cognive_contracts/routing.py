"""AMQP 0-9-1 topic-exchange matching, as RabbitMQ does it.

Words are separated by ``.``; ``*`` matches exactly one word and ``#`` zero or more. So
``registry.agent.*`` does NOT match ``registry.agent.registered.v1``; ``registry.agent.#``
does.
"""

from __future__ import annotations

from functools import lru_cache


def topic_matches(pattern: str, routing_key: str) -> bool:
    return _match(tuple(pattern.split(".")), tuple(routing_key.split(".")))


@lru_cache(maxsize=4096)
def _match(pattern: tuple[str, ...], words: tuple[str, ...]) -> bool:
    if not pattern:
        return not words
    head, rest = pattern[0], pattern[1:]
    if head == "#":
        # `#` absorbs zero words, or one word and stays in place to absorb more.
        return _match(rest, words) or (bool(words) and _match(pattern, words[1:]))
    if not words:
        return False
    if head == "*" or head == words[0]:
        return _match(rest, words[1:])
    return False
