"""Postgres access: pool construction and the per-service migration runner."""

from cognive_runtime.db.migrations import Migration, apply_migrations, load_migrations
from cognive_runtime.db.pool import create_pool, quote_ident

__all__ = ["Migration", "apply_migrations", "create_pool", "load_migrations", "quote_ident"]
