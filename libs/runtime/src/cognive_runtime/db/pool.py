"""asyncpg pool bound to one service schema."""

from __future__ import annotations

import json
import re
from typing import Any

import asyncpg
import orjson

_IDENT = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,62}$")


def quote_ident(name: str) -> str:
    """Schema and table names come from settings, never from requests; still, refuse anything
    that is not a plain identifier so that no string can smuggle SQL in."""
    if not _IDENT.match(name):
        raise ValueError(f"not a plain SQL identifier: {name!r}")
    return f'"{name}"'


def _encode_json(value: Any) -> str:
    return orjson.dumps(value, option=orjson.OPT_NON_STR_KEYS).decode()


async def _init_connection(conn: asyncpg.Connection) -> None:
    # orjson: projections write a JSON column per row they touch; the stdlib is 3-4x slower.
    for name in ("jsonb", "json"):
        await conn.set_type_codec(
            name, encoder=_encode_json, decoder=orjson.loads, schema="pg_catalog"
        )


async def _keep_session(conn: asyncpg.Connection) -> None:
    """The pool's reset, run after asyncpg has rolled back any open transaction and dropped
    the connection's listeners. asyncpg's default also sends `SELECT pg_advisory_unlock_all();
    CLOSE ALL; UNLISTEN *; RESET ALL` on every release: a round trip and four statements that
    were a quarter of all the statements the services ran at 3,000 events/s (68 releases a
    second, pg_stat_statements), for session state no pool user leaves behind. A pool
    connection's user sets settings with `SET LOCAL` / `set_config(..., true)`, takes
    transaction-level advisory locks, opens cursors only inside transactions and never
    LISTENs (each of those has a dedicated connection: migrations, leader locks, the log
    signal); the one session-level lock taken on a pool connection, a projection rebuild's,
    is released in a `finally` that closes the connection if the unlock fails. A connection
    whose release fails is closed by asyncpg."""


def server_settings(schema: str, application_name: str, idle_timeout_ms: int) -> dict[str, str]:
    return {
        "search_path": f"{quote_ident(schema)}, public",
        "application_name": application_name[:63],
        "idle_in_transaction_session_timeout": str(idle_timeout_ms),
    }


async def create_pool(
    dsn: str,
    schema: str,
    *,
    application_name: str = "cognive",
    min_size: int = 2,
    max_size: int = 10,
    idle_in_transaction_timeout_ms: int = 60_000,
) -> asyncpg.Pool:
    pool: asyncpg.Pool = await asyncpg.create_pool(
        dsn,
        min_size=min_size,
        max_size=max_size,
        init=_init_connection,
        reset=_keep_session,
        server_settings=server_settings(schema, application_name, idle_in_transaction_timeout_ms),
    )
    return pool


async def connect(
    dsn: str, schema: str, *, application_name: str = "cognive", idle_timeout_ms: int = 60_000
) -> asyncpg.Connection:
    """A dedicated connection (leader locks need a session of their own)."""
    conn: asyncpg.Connection = await asyncpg.connect(
        dsn, server_settings=server_settings(schema, application_name, idle_timeout_ms)
    )
    await _init_connection(conn)
    return conn


def jsonable(value: Any) -> str:
    return json.dumps(value, separators=(",", ":"), default=str)
