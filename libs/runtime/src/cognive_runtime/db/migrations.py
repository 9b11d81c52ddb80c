"""Numbered SQL migrations per service schema, applied at start-up under an advisory lock.

Files are named `NNNN_description.sql`. The runtime's own migrations (event log, inbox,
checkpoints) are component `runtime`; a service's are component `<service>`. Each file runs
once, in its own transaction, with `search_path` set to the service schema; a checksum
change of an applied file is refused rather than silently ignored.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

import asyncpg
import structlog

from cognive_runtime.db.pool import quote_ident

log = structlog.get_logger(__name__)

_NAME = re.compile(r"^(\d{4})_([a-z0-9_]+)\.sql$")


@dataclass(frozen=True, slots=True)
class Migration:
    component: str
    version: int
    name: str
    sql: str

    @property
    def checksum(self) -> str:
        return hashlib.sha256(self.sql.encode()).hexdigest()


def load_migrations(component: str, directory: Path) -> list[Migration]:
    found: list[Migration] = []
    for path in sorted(directory.iterdir()):
        match = _NAME.match(path.name)
        if match is None:
            continue
        found.append(Migration(component, int(match[1]), match[2], path.read_text()))
    versions = [m.version for m in found]
    if len(set(versions)) != len(versions):
        raise ValueError(f"duplicate migration numbers in {directory}")
    return found


def runtime_migrations() -> list[Migration]:
    directory = Path(str(resources.files("cognive_runtime") / "migrations"))
    return load_migrations("runtime", directory)


async def apply_migrations(
    conn: asyncpg.Connection, schema: str, migrations: list[Migration], *, with_runtime: bool = True
) -> list[Migration]:
    """Apply what is missing; returns the migrations applied now. Safe to run from every
    replica at once: the advisory lock serialises them and the second finds nothing to do."""
    todo = (runtime_migrations() if with_runtime else []) + migrations
    applied_now: list[Migration] = []
    q_schema = quote_ident(schema)
    lock_key = f"cognive.migrations.{schema}"
    await conn.execute("SELECT pg_advisory_lock(hashtext($1))", lock_key)
    try:
        await conn.execute(f"CREATE SCHEMA IF NOT EXISTS {q_schema}")
        await conn.execute(
            f"""CREATE TABLE IF NOT EXISTS {q_schema}.schema_migrations (
                    component text NOT NULL,
                    version int NOT NULL,
                    name text NOT NULL,
                    checksum text NOT NULL,
                    applied_at timestamptz NOT NULL DEFAULT now(),
                    PRIMARY KEY (component, version))"""
        )
        rows = await conn.fetch(
            f"SELECT component, version, checksum FROM {q_schema}.schema_migrations"
        )
        done = {(r["component"], r["version"]): r["checksum"] for r in rows}
        for migration in todo:
            key = (migration.component, migration.version)
            if key in done:
                if done[key] != migration.checksum:
                    raise RuntimeError(
                        f"migration {migration.component}/{migration.version:04d}_{migration.name}"
                        " changed after it was applied; add a new migration instead"
                    )
                continue
            async with conn.transaction():
                await conn.execute(f"SET LOCAL search_path TO {q_schema}, public")
                await conn.execute(migration.sql)
                await conn.execute(
                    f"INSERT INTO {q_schema}.schema_migrations (component, version, name, checksum)"
                    " VALUES ($1, $2, $3, $4)",
                    migration.component,
                    migration.version,
                    migration.name,
                    migration.checksum,
                )
            applied_now.append(migration)
            log.info(
                "migration.applied",
                schema=schema,
                component=migration.component,
                version=migration.version,
                name=migration.name,
            )
    finally:
        await conn.execute("SELECT pg_advisory_unlock(hashtext($1))", lock_key)
    return applied_now
