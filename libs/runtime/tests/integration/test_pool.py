"""The service pool: what a released connection keeps and what it does not."""

from __future__ import annotations

import asyncio
from typing import Any

import asyncpg
import pytest

from cognive_runtime.db.pool import create_pool
from cognive_runtime.testing import SchemaFactory

pytestmark = pytest.mark.integration


async def test_a_release_sends_nothing_to_the_server(schemas: SchemaFactory) -> None:
    schema = (await schemas.create("pool")).name
    pool = await create_pool(schemas.dsn, schema, min_size=1, max_size=1)
    sent: list[str] = []

    def logged(record: Any) -> None:
        sent.append(record.query)

    try:
        async with pool.acquire() as conn:
            conn.add_query_logger(logged)
            async with conn.transaction():
                await conn.execute("SELECT pg_advisory_xact_lock(42)")
            await conn.fetchval("SELECT 1")
            await asyncio.sleep(0.05)  # the loggers are called soon after, not inline
            before = len(sent)
        await asyncio.sleep(0.05)
        assert before > 0
        assert sent[before:] == []
        async with pool.acquire() as conn:
            # The session is the one the pool opened: its schema, no transaction, no lock.
            assert await conn.fetchval("SELECT current_schema()") == schema
            assert not conn.is_in_transaction()
            assert (
                await conn.fetchval(
                    "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory'"
                    " AND pid = pg_backend_pid()"
                )
                == 0
            )
    finally:
        await pool.close()


async def test_a_transaction_left_open_is_rolled_back_on_release(schemas: SchemaFactory) -> None:
    schema = (await schemas.create("pool_tx")).name
    pool = await create_pool(schemas.dsn, schema, min_size=1, max_size=1)
    try:
        async with pool.acquire() as conn:
            await conn.execute("CREATE TABLE t (x int)")
            tx = conn.transaction()
            await tx.start()
            await conn.execute("INSERT INTO t VALUES (1)")
            # Released without commit or rollback, as a cancelled task would leave it.
        async with pool.acquire() as conn:
            assert not conn.is_in_transaction()
            assert await conn.fetchval("SELECT count(*) FROM t") == 0
    finally:
        await pool.close()


async def test_a_released_connection_answers_after_an_error(schemas: SchemaFactory) -> None:
    schema = (await schemas.create("pool_err")).name
    pool = await create_pool(schemas.dsn, schema, min_size=1, max_size=1)
    try:
        with pytest.raises(asyncpg.UndefinedTableError):
            async with pool.acquire() as conn, conn.transaction():
                await conn.execute("SELECT * FROM missing")
        async with pool.acquire() as conn:
            assert await conn.fetchval("SELECT 1") == 1
    finally:
        await pool.close()
