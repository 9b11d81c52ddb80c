"""The service pool: what a released connection keeps and what it does not."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import asyncpg
import pytest

from cognive_runtime.db.pool import create_pool
from cognive_runtime.testing import SchemaFactory

pytestmark = pytest.mark.integration


@pytest.fixture
async def pool(schemas: SchemaFactory) -> AsyncIterator[asyncpg.Pool]:
    """One connection, so that each acquire gets back the connection released before."""
    schema = (await schemas.create("pool")).name
    pool = await create_pool(schemas.dsn, schema, min_size=1, max_size=1)
    try:
        yield pool
    finally:
        await pool.close()


async def test_a_release_sends_nothing_to_the_server(pool: asyncpg.Pool) -> None:
    sent: list[str] = []

    def logged(record: Any) -> None:
        sent.append(record.query)

    async with pool.acquire() as conn:
        conn.add_query_logger(logged)
        async with conn.transaction():
            await conn.execute("SELECT pg_advisory_xact_lock(42)")
        schema = await conn.fetchval("SELECT current_schema()")
        pid = await conn.fetchval("SELECT pg_backend_pid()")
        await asyncio.sleep(0.05)  # the loggers are called soon after, not inline
        before = len(sent)
    await asyncio.sleep(0.05)
    assert before > 0
    assert sent[before:] == []
    async with pool.acquire() as conn:
        # The same session, kept: its schema, no transaction, no lock.
        assert await conn.fetchval("SELECT pg_backend_pid()") == pid
        assert await conn.fetchval("SELECT current_schema()") == schema
        assert not conn.is_in_transaction()
        locks = await conn.fetchval(
            "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND pid = pg_backend_pid()"
        )
        assert locks == 0


async def test_a_transaction_left_open_is_rolled_back_on_release(pool: asyncpg.Pool) -> None:
    async with pool.acquire() as conn:
        await conn.execute("CREATE TABLE t (x int)")
        tx = conn.transaction()
        await tx.start()
        await conn.execute("INSERT INTO t VALUES (1)")
        # Released without commit or rollback, as a cancelled task would leave it.
    async with pool.acquire() as conn:
        assert not conn.is_in_transaction()
        assert await conn.fetchval("SELECT count(*) FROM t") == 0


async def test_a_session_survives_an_error_in_a_transaction(pool: asyncpg.Pool) -> None:
    async with pool.acquire() as conn:
        pid = await conn.fetchval("SELECT pg_backend_pid()")
    with pytest.raises(asyncpg.UndefinedTableError):
        async with pool.acquire() as conn, conn.transaction():
            await conn.execute("SELECT * FROM missing")
    async with pool.acquire() as conn:
        assert await conn.fetchval("SELECT pg_backend_pid()") == pid
        assert await conn.fetchval("SELECT 1") == 1


async def test_session_settings_outlive_a_release(pool: asyncpg.Pool) -> None:
    # The contract this pool relies on, pinned: nothing resets a session, so a pool user
    # sets with SET LOCAL (inside a transaction) and never with a plain SET.
    async with pool.acquire() as conn:
        async with conn.transaction():
            await conn.execute("SET LOCAL statement_timeout = '7s'")
        await conn.execute("SET lock_timeout = '3s'")
    async with pool.acquire() as conn:
        assert await conn.fetchval("SHOW statement_timeout") == "0"
        assert await conn.fetchval("SHOW lock_timeout") == "3s"
