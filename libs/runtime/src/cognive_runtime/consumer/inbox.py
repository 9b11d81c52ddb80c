"""The inbox: exactly-once effect of consumed events (ARCHITECTURE §2).

One statement per message claims every event id at once; the ids it returns are the events
this transaction is the first to see. The inbox row commits with the handler's effects, so
a rollback releases the claim and a redelivery applies the event again."""

from __future__ import annotations

import uuid
from collections.abc import Sequence

import asyncpg

_CLAIM = """
INSERT INTO inbox (event_id, queue)
SELECT id, $2 FROM unnest($1::uuid[]) AS t(id)
ON CONFLICT DO NOTHING
RETURNING event_id
"""


async def claim(
    conn: asyncpg.Connection, event_ids: Sequence[uuid.UUID], queue: str
) -> set[uuid.UUID]:
    """Insert the ids not yet in the inbox (inside the caller's transaction); return them."""
    rows = await conn.fetch(_CLAIM, event_ids, queue)
    return {row[0] for row in rows}
