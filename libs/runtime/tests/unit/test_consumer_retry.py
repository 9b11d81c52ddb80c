"""What the consumer treats as infrastructure trouble (hold and retry) and what as an
error of the event (split out, dead-letter), and the hold itself."""

from __future__ import annotations

import asyncio

import asyncpg
import pytest
import redis.exceptions

from cognive_runtime.consumer.retry import (
    DlqPublishError,
    TransientError,
    breaks_connections,
    hold_and_retry,
    is_infrastructure,
)

pytestmark = pytest.mark.unit


@pytest.mark.parametrize(
    "exc",
    [
        ConnectionRefusedError(),
        TimeoutError(),
        OSError("network unreachable"),
        asyncpg.ConnectionDoesNotExistError("gone"),
        asyncpg.InterfaceError("connection is closed"),
        asyncpg.CannotConnectNowError("starting up"),
        asyncpg.AdminShutdownError("terminating"),
        asyncpg.SerializationError("could not serialize"),
        asyncpg.DeadlockDetectedError("deadlock"),
        asyncpg.TooManyConnectionsError("too many"),
        redis.exceptions.ConnectionError(),
        TransientError("handler says so"),
        DlqPublishError("no confirm"),
    ],
)
def test_infrastructure(exc: Exception) -> None:
    assert is_infrastructure(exc)


@pytest.mark.parametrize(
    "exc",
    [
        ValueError("bad"),
        KeyError("x"),
        asyncpg.UniqueViolationError("dup"),
        asyncpg.CheckViolationError("check"),
        asyncpg.DataError("data"),
        RuntimeError("bug"),
    ],
)
def test_not_infrastructure(exc: Exception) -> None:
    assert not is_infrastructure(exc)


def test_restart_errors_break_the_pool_but_deadlocks_do_not() -> None:
    assert breaks_connections(asyncpg.AdminShutdownError("terminating"))
    assert breaks_connections(ConnectionRefusedError())
    assert not breaks_connections(asyncpg.DeadlockDetectedError("deadlock"))


async def test_hold_retries_infrastructure_then_succeeds() -> None:
    calls = 0
    retried: list[int] = []

    async def attempt() -> str:
        nonlocal calls
        calls += 1
        if calls < 3:
            raise asyncpg.CannotConnectNowError("starting up")
        return "done"

    async def on_retry(_exc: BaseException, attempt_number: int, _wait: float) -> None:
        retried.append(attempt_number)

    result = await hold_and_retry(
        attempt,
        stop=asyncio.Event(),
        hold_budget_s=10,
        initial_wait_s=0.001,
        max_wait_s=0.01,
        on_retry=on_retry,
    )
    assert result == "done"
    assert retried == [1, 2]


async def test_hold_gives_up_at_once_on_other_errors_and_when_stopped() -> None:
    async def noop(*_: object) -> None:
        return None

    async def broken() -> None:
        raise ValueError("poison")

    with pytest.raises(ValueError, match="poison"):
        await hold_and_retry(
            broken,
            stop=asyncio.Event(),
            hold_budget_s=10,
            initial_wait_s=0.001,
            max_wait_s=0.01,
            on_retry=noop,
        )

    async def down() -> None:
        raise ConnectionRefusedError()

    stop = asyncio.Event()
    stop.set()
    with pytest.raises(ConnectionRefusedError):
        await hold_and_retry(
            down, stop=stop, hold_budget_s=600, initial_wait_s=1, max_wait_s=5, on_retry=noop
        )
    with pytest.raises(ConnectionRefusedError):
        await hold_and_retry(
            down,
            stop=asyncio.Event(),
            hold_budget_s=0.05,
            initial_wait_s=0.01,
            max_wait_s=0.02,
            on_retry=noop,
        )
