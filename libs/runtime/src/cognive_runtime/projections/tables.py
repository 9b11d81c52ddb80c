"""DDL and comparisons on a projection's live and shadow tables.

Everything here runs inside the caller's transaction and touches only the tables a
projection declares; names go through `quote_ident`."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import asyncpg

from cognive_runtime.db.pool import quote_ident
from cognive_runtime.projections.base import old_name, shadow_name

SAMPLE_ROWS = 5


@dataclass(frozen=True, slots=True)
class TableDiff:
    """Rows of one table that differ between the live and the rebuilt model (multiset
    difference both ways), with a few of them as row text for the operator."""

    table: str
    only_live: int
    only_rebuilt: int
    live_samples: tuple[str, ...] = ()
    rebuilt_samples: tuple[str, ...] = ()

    @property
    def differing_rows(self) -> int:
        return self.only_live + self.only_rebuilt


@dataclass(frozen=True, slots=True)
class IndexShape:
    """An index reduced to what makes two indexes interchangeable: its definition without its
    own name and its table's."""

    name: str
    primary: bool
    unique: bool
    definition: str


def index_renames(
    live: Sequence[IndexShape], rebuilt: Sequence[IndexShape]
) -> list[tuple[str, str]]:
    """(rebuilt index name, live index name) pairs that give the swapped-in table the index
    (and constraint) names of the table it replaces, so that names do not drift with each
    rebuild. Indexes without a counterpart keep their names."""
    free = list(live)
    pairs: list[tuple[str, str]] = []
    for index in rebuilt:
        for candidate in free:
            if (candidate.primary, candidate.unique, candidate.definition) == (
                index.primary,
                index.unique,
                index.definition,
            ):
                free.remove(candidate)
                if candidate.name != index.name:
                    pairs.append((index.name, candidate.name))
                break
    return pairs


async def missing_tables(conn: asyncpg.Connection, tables: Sequence[str]) -> list[str]:
    return [
        t for t in tables if await conn.fetchval("SELECT to_regclass($1)", quote_ident(t)) is None
    ]


async def create_shadows(conn: asyncpg.Connection, tables: Sequence[str]) -> None:
    for table in tables:
        shadow = quote_ident(shadow_name(table))
        await conn.execute(f"DROP TABLE IF EXISTS {shadow}")
        await conn.execute(f"CREATE TABLE {shadow} (LIKE {quote_ident(table)} INCLUDING ALL)")


async def drop_shadows(conn: asyncpg.Connection, tables: Sequence[str]) -> None:
    for table in tables:
        await conn.execute(f"DROP TABLE IF EXISTS {quote_ident(shadow_name(table))}")


async def analyze_shadows(conn: asyncpg.Connection, tables: Sequence[str]) -> None:
    # The swapped-in table must not start its life without planner statistics.
    for table in tables:
        await conn.execute(f"ANALYZE {quote_ident(shadow_name(table))}")


_DIFF = """
SELECT count(*) OVER () AS n, d::text AS row_text
FROM (SELECT * FROM {a} EXCEPT ALL SELECT * FROM {b}) AS d
LIMIT {limit}
"""


async def compare(conn: asyncpg.Connection, table: str) -> TableDiff:
    """Live `table` against its shadow; the two have the same columns in the same order
    because the shadow was created `LIKE` the live table."""
    live, shadow = quote_ident(table), quote_ident(shadow_name(table))
    only_live = await conn.fetch(_DIFF.format(a=live, b=shadow, limit=SAMPLE_ROWS))
    only_rebuilt = await conn.fetch(_DIFF.format(a=shadow, b=live, limit=SAMPLE_ROWS))
    return TableDiff(
        table=table,
        only_live=only_live[0]["n"] if only_live else 0,
        only_rebuilt=only_rebuilt[0]["n"] if only_rebuilt else 0,
        live_samples=tuple(r["row_text"] for r in only_live),
        rebuilt_samples=tuple(r["row_text"] for r in only_rebuilt),
    )


_INDEXES = """
SELECT c.relname AS name, i.indisprimary AS primary, i.indisunique AS unique,
       regexp_replace(pg_get_indexdef(i.indexrelid), '^.* USING ', '') AS definition
FROM pg_index AS i JOIN pg_class AS c ON c.oid = i.indexrelid
WHERE i.indrelid = to_regclass($1)
ORDER BY c.relname
"""


async def _indexes(conn: asyncpg.Connection, table: str) -> list[IndexShape]:
    rows = await conn.fetch(_INDEXES, quote_ident(table))
    return [IndexShape(r["name"], r["primary"], r["unique"], r["definition"]) for r in rows]


async def swap(conn: asyncpg.Connection, tables: Sequence[str]) -> None:
    """Shadow becomes live, live is dropped; inside the caller's (short) transaction. Each
    rename takes an ACCESS EXCLUSIVE lock: readers of the live table wait for the commit and
    then read the new table (Postgres looks the name up again after the lock wait)."""
    for table in tables:
        live, shadow, old = table, shadow_name(table), old_name(table)
        live_indexes = await _indexes(conn, live)
        await conn.execute(f"DROP TABLE IF EXISTS {quote_ident(old)}")
        await conn.execute(f"ALTER TABLE {quote_ident(live)} RENAME TO {quote_ident(old)}")
        await conn.execute(f"ALTER TABLE {quote_ident(shadow)} RENAME TO {quote_ident(live)}")
        await conn.execute(f"DROP TABLE {quote_ident(old)}")
        # Renaming an index that backs a constraint renames the constraint too.
        for current, wanted in index_renames(live_indexes, await _indexes(conn, live)):
            await conn.execute(
                f"ALTER INDEX {quote_ident(current)} RENAME TO {quote_ident(wanted)}"
            )
