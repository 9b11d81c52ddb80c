"""Where each follower of the log has got to. Stored in the follower's own transaction."""

from __future__ import annotations

import asyncpg

from cognive_runtime.eventlog.model import Position


async def load_checkpoint(conn: asyncpg.Connection | asyncpg.Pool, name: str) -> Position:
    row = await conn.fetchrow("SELECT tx_id, position FROM checkpoints WHERE name = $1", name)
    return Position.start() if row is None else Position(row["tx_id"], row["position"])


async def store_checkpoint(
    conn: asyncpg.Connection | asyncpg.Pool, name: str, position: Position
) -> None:
    await conn.execute(
        "INSERT INTO checkpoints (name, tx_id, position, updated_at) VALUES ($1, $2, $3, now())"
        " ON CONFLICT (name) DO UPDATE SET tx_id = EXCLUDED.tx_id,"
        " position = EXCLUDED.position, updated_at = now()",
        name,
        position.tx_id,
        position.global_position,
    )
