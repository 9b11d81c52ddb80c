"""Infrastructure trouble: what counts as it, and how a consumer holds a message meanwhile.

RabbitMQ 3.10 counts every requeue toward the delivery limit, so a consumer that nacks on a
Postgres restart would, after a few restarts, dead-letter perfectly valid events. Instead
it keeps the message and retries the whole of it with capped exponential backoff, for a
hold budget well inside the broker's consumer timeout. Processing is sequential, so holding
one message pauses the queue."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TypeVar

import asyncpg
import redis.exceptions
from tenacity import (
    AsyncRetrying,
    RetryCallState,
    retry_if_exception,
    stop_after_delay,
    stop_any,
    wait_exponential_jitter,
)
from tenacity.stop import stop_base

T = TypeVar("T")

# SQLSTATE classes that say "the database, not the event": connection exception (08),
# insufficient resources (53), operator intervention (57: shutdown, starting up, cancel),
# system error (58) and transaction rollback (40: serialization failure, deadlock).
_TRANSIENT_SQLSTATE_CLASSES = frozenset({"08", "40", "53", "57", "58"})
# Errors after which the pool's other idle connections are probably dead too.
_CONNECTION_SQLSTATE_CLASSES = frozenset({"08", "57"})


class TransientError(Exception):
    """Raised by a handler (or the consumer's own plumbing) to say: infrastructure trouble,
    hold the message and retry it; never dead-letter it."""


class DlqPublishError(TransientError):
    """A poison event could not be confirmed by the DLQ: the message is held, not acked."""


class HoldExhausted(RuntimeError):
    """Infrastructure trouble outlasted the hold budget; the consumer stops so that the
    broker redelivers the message (which counts toward its delivery limit)."""


def _sqlstate(exc: BaseException) -> str:
    state = getattr(exc, "sqlstate", None)
    return state if isinstance(state, str) else ""


def is_infrastructure(exc: BaseException) -> bool:
    if isinstance(
        exc,
        TransientError
        | OSError  # includes TimeoutError (pool acquire, connect) and refused connections
        | asyncpg.InterfaceError  # includes ConnectionDoesNotExistError
        | redis.exceptions.ConnectionError
        | redis.exceptions.TimeoutError,
    ):
        return True
    if isinstance(exc, asyncpg.PostgresError):
        return _sqlstate(exc)[:2] in _TRANSIENT_SQLSTATE_CLASSES
    return False


def breaks_connections(exc: BaseException) -> bool:
    """True when the pool's idle connections are likely broken as well (server restart)."""
    if isinstance(exc, OSError | asyncpg.InterfaceError):
        return True
    return isinstance(exc, asyncpg.PostgresError) and (
        _sqlstate(exc)[:2] in _CONNECTION_SQLSTATE_CLASSES
    )


class _StopWhenSet(stop_base):
    def __init__(self, event: asyncio.Event) -> None:
        self.event = event

    def __call__(self, retry_state: RetryCallState) -> bool:
        return self.event.is_set()


async def _sleep_unless_stopped(stop: asyncio.Event, seconds: float) -> None:
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(stop.wait(), seconds)


async def hold_and_retry(
    attempt: Callable[[], Awaitable[T]],
    *,
    stop: asyncio.Event,
    hold_budget_s: float,
    initial_wait_s: float,
    max_wait_s: float,
    on_retry: Callable[[BaseException, int, float], Awaitable[None]],
) -> T:
    """Run `attempt` until it succeeds or raises something that is not infrastructure
    trouble. Infrastructure errors are retried with backoff; when the hold budget runs out,
    or `stop` is set, the last infrastructure error is raised."""

    async def before_sleep(state: RetryCallState) -> None:
        exc = state.outcome.exception() if state.outcome else None
        wait = state.next_action.sleep if state.next_action else 0.0
        if exc is not None:
            await on_retry(exc, state.attempt_number, wait)

    retrying = AsyncRetrying(
        retry=retry_if_exception(is_infrastructure),
        wait=wait_exponential_jitter(initial=initial_wait_s, max=max_wait_s, jitter=initial_wait_s),
        stop=stop_any(stop_after_delay(hold_budget_s), _StopWhenSet(stop)),
        sleep=lambda seconds: _sleep_unless_stopped(stop, seconds),
        before_sleep=before_sleep,
        reraise=True,
    )
    result: T = await retrying(attempt)
    return result


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    # Well inside RabbitMQ's consumer timeout (30 min by default): past it the broker
    # closes the channel itself.
    hold_budget_s: float = 900.0
    initial_wait_s: float = 0.05
    max_wait_s: float = 5.0
    acquire_timeout_s: float = 10.0
    confirm_timeout_s: float = 30.0
