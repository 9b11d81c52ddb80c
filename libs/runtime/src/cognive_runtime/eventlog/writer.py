"""Appending to the log with optimistic concurrency.

All events of one call go in with one `INSERT ... SELECT FROM unnest(...)`: the ingest path
appends thousands of events a second, and a statement per row would be the bottleneck.
"""

from __future__ import annotations

import json
from collections.abc import Sequence

import asyncpg

from cognive_runtime.eventlog.model import ANY_VERSION, NewEvent, StreamAppend


class ConcurrencyError(Exception):
    """The stream moved on since the caller read it."""

    def __init__(self, stream_id: str, expected: int, actual: int) -> None:
        super().__init__(f"stream {stream_id!r}: expected version {expected}, found {actual}")
        self.stream_id = stream_id
        self.expected = expected
        self.actual = actual


_INSERT = """
INSERT INTO events (stream_id, stream_version, event_id, type, data, metadata)
SELECT s, v, e, t, d::jsonb, m::jsonb
FROM unnest($1::text[], $2::int[], $3::uuid[], $4::text[], $5::text[], $6::text[])
    AS u(s, v, e, t, d, m)
RETURNING global_position
"""


async def append(conn: asyncpg.Connection, appends: Sequence[StreamAppend]) -> list[int]:
    """Append to several streams atomically; returns the global positions in input order.

    Must run inside the caller's transaction, so that a handler's inbox row, its events and
    anything else it writes commit together."""
    if not conn.is_in_transaction():
        raise RuntimeError("append() must run inside a transaction")
    if not appends:
        return []
    stream_ids = sorted({a.stream_id for a in appends})
    # Stream-level locks taken in a fixed order: concurrent appends to one stream serialise
    # instead of failing on the unique key, and two writers cannot deadlock.
    await conn.execute(
        "SELECT pg_advisory_xact_lock(hashtextextended(s, 7)) FROM unnest($1::text[]) AS s"
        " ORDER BY s",
        stream_ids,
    )
    rows = await conn.fetch(
        "SELECT stream_id, max(stream_version) AS v FROM events"
        " WHERE stream_id = ANY($1::text[]) GROUP BY stream_id",
        stream_ids,
    )
    current = {r["stream_id"]: r["v"] for r in rows}
    cols: tuple[list[str], list[int], list[object], list[str], list[str], list[str]] = (
        [],
        [],
        [],
        [],
        [],
        [],
    )
    for item in appends:
        version = current.get(item.stream_id, 0)
        if item.expected_version != ANY_VERSION and item.expected_version != version:
            raise ConcurrencyError(item.stream_id, item.expected_version, version)
        for event in item.events:
            version += 1
            _add(cols, item.stream_id, version, event)
        current[item.stream_id] = version
    records = await conn.fetch(_INSERT, *cols)
    return [r["global_position"] for r in records]


def _add(
    cols: tuple[list[str], list[int], list[object], list[str], list[str], list[str]],
    stream_id: str,
    version: int,
    event: NewEvent,
) -> None:
    cols[0].append(stream_id)
    cols[1].append(version)
    cols[2].append(event.event_id)
    cols[3].append(event.type)
    cols[4].append(json.dumps(event.data, separators=(",", ":"), default=str))
    cols[5].append(json.dumps(event.metadata, separators=(",", ":"), default=str))


async def append_to_stream(
    conn: asyncpg.Connection,
    stream_id: str,
    events: Sequence[NewEvent],
    expected_version: int = ANY_VERSION,
) -> list[int]:
    return await append(conn, [StreamAppend(stream_id, list(events), expected_version)])
