"""Where each follower of the log has got to. Stored in the follower's own transaction."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import asyncpg

from cognive_runtime.eventlog.model import Position


async def load_checkpoint(conn: asyncpg.Connection | asyncpg.Pool, name: str) -> Position:
    return (await load_checkpoints(conn, [name]))[name]


async def store_checkpoint(
    conn: asyncpg.Connection | asyncpg.Pool, name: str, position: Position
) -> None:
    await store_checkpoints(conn, {name: position})


async def load_checkpoints(
    conn: asyncpg.Connection | asyncpg.Pool, names: Sequence[str]
) -> dict[str, Position]:
    """Several followers' places in one statement (a group of projections steps together)."""
    rows = await conn.fetch(
        "SELECT name, tx_id, position FROM checkpoints WHERE name = ANY($1::text[])", names
    )
    found = {r["name"]: Position(r["tx_id"], r["position"]) for r in rows}
    return {name: found.get(name, Position.start()) for name in names}


async def store_checkpoints(
    conn: asyncpg.Connection | asyncpg.Pool, positions: Mapping[str, Position]
) -> None:
    if not positions:
        return
    await conn.execute(
        "INSERT INTO checkpoints (name, tx_id, position, updated_at)"
        " SELECT name, tx_id, position, now()"
        " FROM unnest($1::text[], $2::xid8[], $3::bigint[]) AS u(name, tx_id, position)"
        " ON CONFLICT (name) DO UPDATE SET tx_id = EXCLUDED.tx_id,"
        " position = EXCLUDED.position, updated_at = now()",
        list(positions),
        [p.tx_id for p in positions.values()],
        [p.global_position for p in positions.values()],
    )
