"""A Postgres schema per test on the real local server, migrated like a service's."""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from pathlib import Path

import asyncpg

from cognive_runtime.db.migrations import Migration, apply_migrations, load_migrations
from cognive_runtime.db.pool import connect, create_pool, quote_ident


@dataclass
class TestSchema:
    __test__ = False  # not a pytest test class

    name: str
    dsn: str
    pool: asyncpg.Pool

    async def connect(self) -> asyncpg.Connection:
        return await connect(self.dsn, self.name, application_name=f"test-{self.name}")

    async def migrate(self, migrations: list[Migration]) -> list[Migration]:
        """Apply `migrations` on a connection of its own, as a service does: the migration
        lock is a session lock, which a pool connection would keep after release."""
        conn = await self.connect()
        try:
            return await apply_migrations(conn, self.name, migrations)
        finally:
            await conn.close()


class SchemaFactory:
    """Creates `<run id>_<label>_<n>` schemas and drops every one of them at the end."""

    def __init__(self, dsn: str, run_id: str) -> None:
        self.dsn = dsn
        self.run_id = run_id
        self._counter = itertools.count(1)
        self._created: list[TestSchema] = []
        self._open: list[TestSchema] = []

    async def create(
        self, label: str = "svc", migrations_dir: Path | None = None, component: str = "svc"
    ) -> TestSchema:
        name = f"{self.run_id}_{label}_{next(self._counter)}"
        conn = await asyncpg.connect(self.dsn)
        try:
            migrations = load_migrations(component, migrations_dir) if migrations_dir else []
            await apply_migrations(conn, name, migrations)
        finally:
            await conn.close()
        pool = await create_pool(self.dsn, name, application_name=f"test-{name}", min_size=1)
        schema = TestSchema(name=name, dsn=self.dsn, pool=pool)
        self._created.append(schema)
        self._open.append(schema)
        return schema

    async def close_pools(self) -> None:
        """Close the pools of the schemas created since the last call (the schemas stay
        until `drop_all`): a long session must not hold a pool per test it ran."""
        open_, self._open = self._open, []
        for schema in open_:
            await schema.pool.close()

    async def drop_all(self) -> None:
        await self.close_pools()
        conn = await asyncpg.connect(self.dsn)
        try:
            rows = await conn.fetch(
                "SELECT nspname FROM pg_namespace WHERE nspname LIKE $1", f"{self.run_id}\\_%"
            )
            for row in rows:
                await conn.execute(f"DROP SCHEMA IF EXISTS {quote_ident(row[0])} CASCADE")
        finally:
            await conn.close()
