"""What a projection is, and the names and locks the runner and the rebuild share.

A projection turns the service's own log into read-model tables. Its rows and its checkpoint
commit in one transaction (exactly-once effect), and it must be a deterministic function of
the events it reads, so that replaying the log from 0 gives the same tables as the live
runner built over months (that is what makes a rebuild safe to swap in)."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Iterator, Mapping, Sequence
from typing import Protocol, cast

import asyncpg

from cognive_runtime.db.pool import quote_ident
from cognive_runtime.eventlog.model import RecordedEvent

SHADOW_SUFFIX = "__shadow"
OLD_SUFFIX = "__old"
# Postgres truncates identifiers at 63 bytes; a live name must leave room for the suffixes.
MAX_TABLE_NAME = 63 - max(len(SHADOW_SUFFIX), len(OLD_SUFFIX))

# Keyed on schema and projection, so that the swap of a rebuild serialises with the live
# runner's apply transactions (and with nothing else). Transaction-level: it cannot leak.
# One key expression for every form below: forms that hashed differently would not exclude
# each other.
_APPLY_KEY = "hashtextextended('cognive.projection.' || current_schema() || '.' || {}, 0)"
APPLY_LOCK_SQL = f"SELECT pg_advisory_xact_lock({_APPLY_KEY.format('$1')})"
# The same locks for several projections in one statement, in name order (Postgres runs a
# volatile function of the select list after the sort). The runner of a group does not
# wait: it tries each lock and leaves out a member whose lock is held.
APPLY_LOCKS_SQL = (
    f"SELECT pg_advisory_xact_lock({_APPLY_KEY.format('name')})"
    " FROM unnest($1::text[]) AS name ORDER BY name"
)
TRY_APPLY_LOCKS_SQL = (
    f"SELECT name, pg_try_advisory_xact_lock({_APPLY_KEY.format('name')})"
    " FROM unnest($1::text[]) AS name ORDER BY name"
)
# Session-level: one rebuild (or verify) per projection at a time, held across its chunks.
REBUILD_TRY_LOCK_SQL = (
    "SELECT pg_try_advisory_lock("
    "hashtextextended('cognive.projection-rebuild.' || current_schema() || '.' || $1, 0))"
)
REBUILD_UNLOCK_SQL = (
    "SELECT pg_advisory_unlock("
    "hashtextextended('cognive.projection-rebuild.' || current_schema() || '.' || $1, 0))"
)


class Projection(Protocol):
    """A read model of the service's own log.

    - `name`: stable; it names the checkpoint (`projection:<name>`) and the locks.
    - `tables`: the live tables it owns, created by the service's migrations. Rebuild creates
      `<table>__shadow` from them with `LIKE ... INCLUDING ALL`, so they must not be the target
      of foreign keys, should use `jsonb` rather than `json` (verification compares rows with
      `EXCEPT ALL`), and should not take ids from a sequence (a replay would number rows
      differently).
    - `types`: the event types it reads; None reads every event.
    - `apply(conn, events, tables)`: write the effect of `events` (in commit order) inside the
      caller's transaction, to the physical tables `tables[<live name>]` — the live tables
      normally, the shadow tables during a rebuild. Never read the clock (`now()`,
      `datetime.now()`): use `event.recorded_at` and the event data, or a rebuild will differ
      from the live model.
    """

    @property
    def name(self) -> str: ...

    @property
    def tables(self) -> Sequence[str]: ...

    @property
    def types(self) -> frozenset[str] | None: ...

    async def apply(
        self, conn: asyncpg.Connection, events: Sequence[RecordedEvent], tables: TableNames
    ) -> None: ...


class TableNames(Mapping[str, str]):
    """Live table name → quoted identifier of the physical table to write, ready for SQL:
    `f"INSERT INTO {tables['runs']} ..."`."""

    def __init__(self, physical: Mapping[str, str]) -> None:
        self._physical = dict(physical)
        self._quoted = {live: quote_ident(name) for live, name in physical.items()}

    @classmethod
    def live(cls, tables: Sequence[str]) -> TableNames:
        return cls({t: t for t in tables})

    @classmethod
    def shadow(cls, tables: Sequence[str]) -> TableNames:
        return cls({t: shadow_name(t) for t in tables})

    def physical(self, live: str) -> str:
        """The unquoted physical name (for catalog lookups)."""
        return self._physical[live]

    def __getitem__(self, live: str) -> str:
        try:
            return self._quoted[live]
        except KeyError:
            raise KeyError(
                f"{live!r} is not a table of this projection (declare it in `tables`)"
            ) from None

    def __iter__(self) -> Iterator[str]:
        return iter(self._quoted)

    def __len__(self) -> int:
        return len(self._quoted)

    def __repr__(self) -> str:
        return f"TableNames({self._physical!r})"


def shadow_name(table: str) -> str:
    _check_table_name(table)
    return table + SHADOW_SUFFIX


def old_name(table: str) -> str:
    _check_table_name(table)
    return table + OLD_SUFFIX


def _check_table_name(table: str) -> None:
    quote_ident(table)
    if len(table) > MAX_TABLE_NAME:
        raise ValueError(
            f"projection table name {table!r} is longer than {MAX_TABLE_NAME} characters"
        )


def checkpoint_name(projection: str) -> str:
    return f"projection:{projection}"


def shadow_checkpoint_name(projection: str) -> str:
    return f"projection:{projection}:shadow"


def type_filter(projection: Projection) -> list[str] | None:
    """The `types` argument of `read_all`. An empty set is refused: `read_all` would read it as
    "no filter", the opposite of what it says."""
    types = projection.types
    if types is None:
        return None
    if not types:
        raise ValueError(f"projection {projection.name!r}: `types` is empty; use None for all")
    return sorted(types)


@contextlib.asynccontextmanager
async def pooled_connection(pool: asyncpg.Pool) -> AsyncIterator[asyncpg.Connection]:
    """`pool.acquire()` typed as the Connection it forwards to (the stubs call it a proxy,
    which the event log's signatures do not accept)."""
    async with pool.acquire() as proxy:
        yield cast(asyncpg.Connection, proxy)
