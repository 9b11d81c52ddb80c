"""Reading the log: one stream, or everything in commit order, gap-free.

A reader sees only rows whose transaction id is below the snapshot's xmin: every
transaction that could still commit a lower position is then finished, so a row that
commits late is read when it becomes visible instead of being skipped for ever."""

from __future__ import annotations

from collections.abc import Sequence

import asyncpg

from cognive_runtime.eventlog.model import Position, RecordedEvent

_COLUMNS = (
    "global_position, tx_id, stream_id, stream_version, event_id, type,"
    " data::text AS data_json, metadata::text AS metadata_json, recorded_at"
)

_READ_ALL = f"""
SELECT {_COLUMNS} FROM events
WHERE (tx_id, global_position) > ($1::xid8, $2::bigint)
  AND tx_id < pg_snapshot_xmin(pg_current_snapshot())
ORDER BY tx_id, global_position
LIMIT $3
"""

_READ_ALL_TYPES = f"""
SELECT {_COLUMNS} FROM events
WHERE (tx_id, global_position) > ($1::xid8, $2::bigint)
  AND tx_id < pg_snapshot_xmin(pg_current_snapshot())
  AND type = ANY($4::text[])
ORDER BY tx_id, global_position
LIMIT $3
"""


# The end of the next `$3` visible rows of any type: a reader that filters by type has
# examined the log up to there even when none of them matched, and moves its place there,
# so that it never scans the same unmatched tail again. (Without it a projection of rare
# types rescanned everything since its last match on every poll.)
_WINDOW_END = """
SELECT tx_id, global_position, count(*) OVER () AS examined FROM (
    SELECT tx_id, global_position FROM events
    WHERE (tx_id, global_position) > ($1::xid8, $2::bigint)
      AND tx_id < pg_snapshot_xmin(pg_current_snapshot())
    ORDER BY tx_id, global_position
    LIMIT $3
) AS window_rows
ORDER BY tx_id DESC, global_position DESC
LIMIT 1
"""

# In commit order, as the reads: the index scan starts at the reader's place. (As an
# EXISTS the planner chose a scan of the table, 12 ms a probe on a small log.)
_VISIBLE_AFTER = """
SELECT 1 FROM events
WHERE (tx_id, global_position) > ($1::xid8, $2::bigint)
  AND tx_id < pg_snapshot_xmin(pg_current_snapshot())
ORDER BY tx_id, global_position
LIMIT 1
"""

_READ_WINDOW_TYPES = f"""
SELECT {_COLUMNS} FROM events
WHERE (tx_id, global_position) > ($1::xid8, $2::bigint)
  AND (tx_id, global_position) <= ($5::xid8, $6::bigint)
  AND type = ANY($4::text[])
ORDER BY tx_id, global_position
LIMIT $3
"""


def _record(row: asyncpg.Record) -> RecordedEvent:
    return RecordedEvent(
        global_position=row["global_position"],
        tx_id=row["tx_id"],
        stream_id=row["stream_id"],
        stream_version=row["stream_version"],
        event_id=row["event_id"],
        type=row["type"],
        data_json=row["data_json"],
        metadata_json=row["metadata_json"],
        recorded_at=row["recorded_at"],
    )


async def read_all(
    conn: asyncpg.Connection | asyncpg.Pool,
    after: Position,
    limit: int = 1000,
    types: Sequence[str] | None = None,
) -> list[RecordedEvent]:
    """Up to `limit` events after `after`, in commit order, none of which can be preceded
    later by an event that commits after this read."""
    if types:
        rows = await conn.fetch(_READ_ALL_TYPES, after.tx_id, after.global_position, limit, types)
    else:
        rows = await conn.fetch(_READ_ALL, after.tx_id, after.global_position, limit)
    return [_record(r) for r in rows]


async def visible_after(conn: asyncpg.Connection | asyncpg.Pool, after: Position) -> bool:
    """Whether a reader at `after` has anything to read now, of any type (one index probe,
    with the same visibility rule as the reads)."""
    return await conn.fetchval(_VISIBLE_AFTER, after.tx_id, after.global_position) is not None


async def read_window(
    conn: asyncpg.Connection | asyncpg.Pool,
    after: Position,
    limit: int = 1000,
    types: Sequence[str] | None = None,
    *,
    scan: int | None = None,
) -> tuple[list[RecordedEvent], Position]:
    """Like `read_all`, and also how far the log was examined: the position a reader can
    move its place to after applying the events returned (equal to the last event's when
    `limit` events came back). Rows of other types within the next `scan` visible rows
    (default 20 x limit) are passed over for good."""
    if not types:
        events = await read_all(conn, after, limit)
        return events, (events[-1].position if events else after)
    scan = scan or 20 * limit
    # Most followers read types that fill the log: a window twice the page nearly always
    # holds a full page, and walking 20 pages to find the window's end cost every step of a
    # follower that is behind (and pushed it further back under load).
    near = min(2 * limit, scan)
    if near < scan:
        events, through, reached_head = await _read_in_window(conn, after, limit, types, near)
        if len(events) == limit or reached_head:
            return events, through
    events, through, _ = await _read_in_window(conn, after, limit, types, scan)
    return events, through


async def _read_in_window(
    conn: asyncpg.Connection | asyncpg.Pool,
    after: Position,
    limit: int,
    types: Sequence[str],
    scan: int,
) -> tuple[list[RecordedEvent], Position, bool]:
    """The events of `types` among the next `scan` visible rows, how far the log was
    examined, and whether that was everything visible (a caught-up follower's usual case)."""
    end = await conn.fetchrow(_WINDOW_END, after.tx_id, after.global_position, scan)
    if end is None:
        return [], after, True
    through = Position(end["tx_id"], end["global_position"])
    rows = await conn.fetch(
        _READ_WINDOW_TYPES,
        after.tx_id,
        after.global_position,
        limit,
        types,
        through.tx_id,
        through.global_position,
    )
    events = [_record(r) for r in rows]
    if len(events) == limit:
        through = events[-1].position
    return events, through, end["examined"] < scan


async def read_stream(
    conn: asyncpg.Connection | asyncpg.Pool, stream_id: str, from_version: int = 1
) -> list[RecordedEvent]:
    rows = await conn.fetch(
        f"SELECT {_COLUMNS} FROM events WHERE stream_id = $1 AND stream_version >= $2"
        " ORDER BY stream_version",
        stream_id,
        from_version,
    )
    return [_record(r) for r in rows]


async def head_position(conn: asyncpg.Connection | asyncpg.Pool) -> Position:
    """The last readable position (what a fully caught-up reader has reached)."""
    row = await conn.fetchrow(
        "SELECT tx_id, global_position FROM events"
        " WHERE tx_id < pg_snapshot_xmin(pg_current_snapshot())"
        " ORDER BY tx_id DESC, global_position DESC LIMIT 1"
    )
    return Position.start() if row is None else Position(row["tx_id"], row["global_position"])
