"""Teams, agents, issued keys, users and role bindings, from registry's own events."""

from __future__ import annotations

import json
from collections.abc import Sequence

import asyncpg

from cognive_contracts.events import EVENT_MODELS
from cognive_runtime.eventlog import RecordedEvent
from cognive_runtime.projections import TableNames

TYPES = frozenset(
    t for t in EVENT_MODELS if t.startswith("registry.") and not t.startswith("registry.audit")
)

_UPSERT_AGENT = """
INSERT INTO {agents} (agent_id, team_id, name, environment, framework, description, version,
    allowed_models, approved_tools, tags, metadata, status, created_at, updated_at)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8::text::jsonb, $9::text::jsonb, $10::text::jsonb,
    $11::text::jsonb, 'active', $12, $12)
ON CONFLICT (agent_id) DO UPDATE SET framework = EXCLUDED.framework,
    description = EXCLUDED.description, version = EXCLUDED.version,
    allowed_models = EXCLUDED.allowed_models, approved_tools = EXCLUDED.approved_tools,
    tags = EXCLUDED.tags, metadata = EXCLUDED.metadata, updated_at = EXCLUDED.updated_at
"""


class DirectoryProjection:
    name = "directory"
    tables = ("teams", "agents", "issued_keys", "users", "role_bindings")
    types = TYPES

    async def apply(
        self, conn: asyncpg.Connection, events: Sequence[RecordedEvent], tables: TableNames
    ) -> None:
        # Events are applied one by one: admin changes are few, and order within a chunk
        # matters (an update after a register).
        for event in events:
            await self._apply_one(conn, event, tables)

    async def _apply_one(self, conn: asyncpg.Connection, e: RecordedEvent, t: TableNames) -> None:
        d = e.data
        at = e.recorded_at
        kind = e.type.rsplit(".", 1)[0]
        if kind == "registry.team.created":
            await conn.execute(
                f"INSERT INTO {t['teams']} VALUES ($1, $2, $3, $4, $4)"
                " ON CONFLICT (team_id) DO NOTHING",
                d["team_id"],
                d["name"],
                d.get("description"),
                at,
            )
        elif kind == "registry.team.updated":
            await conn.execute(
                f"UPDATE {t['teams']} SET name = $2, description = $3, updated_at = $4"
                " WHERE team_id = $1",
                d["team_id"],
                d["name"],
                d.get("description"),
                at,
            )
        elif kind in ("registry.agent.registered", "registry.agent.updated"):
            await conn.execute(
                _UPSERT_AGENT.format(agents=t["agents"]),
                d["agent_id"],
                d["team_id"],
                d["name"],
                d["environment"],
                d["framework"],
                d.get("description"),
                d.get("version"),
                json.dumps(d.get("allowed_models", [])),
                json.dumps(d.get("approved_tools", [])),
                json.dumps(d.get("tags", [])),
                json.dumps(d.get("metadata", {})),
                at,
            )
        elif kind == "registry.agent.retired":
            await conn.execute(
                f"UPDATE {t['agents']} SET status = 'retired', updated_at = $2 WHERE agent_id = $1",
                d["agent_id"],
                at,
            )
        elif kind == "registry.api_key.issued":
            await conn.execute(
                f"INSERT INTO {t['issued_keys']} VALUES ($1, $2, $3, $4, $5::text::jsonb, $6,"
                " $7, $8, NULL) ON CONFLICT (key_id) DO NOTHING",
                d["key_id"],
                d["team_id"],
                d["name"],
                d["prefix"],
                json.dumps(d["scopes"]),
                d.get("environment"),
                _ts(d["issued_at"]),
                _ts(d.get("expires_at")),
            )
        elif kind == "registry.api_key.revoked":
            await conn.execute(
                f"UPDATE {t['issued_keys']} SET revoked_at = $2 WHERE key_id = $1",
                d["key_id"],
                _ts(d["revoked_at"]),
            )
        elif kind == "registry.user.created":
            await conn.execute(
                f"INSERT INTO {t['users']} VALUES ($1, $2, $3, $4, $5)"
                " ON CONFLICT (user_id) DO NOTHING",
                d["user_id"],
                d["email"],
                d.get("display_name"),
                d.get("org_role"),
                at,
            )
        elif kind == "registry.role.granted":
            await conn.execute(
                f"INSERT INTO {t['role_bindings']} VALUES ($1, $2, $3)"
                " ON CONFLICT (user_id, team_id) DO UPDATE SET role = EXCLUDED.role",
                d["user_id"],
                d["team_id"],
                d["role"],
            )
        elif kind == "registry.role.revoked":
            await conn.execute(
                f"DELETE FROM {t['role_bindings']} WHERE user_id = $1 AND team_id = $2",
                d["user_id"],
                d["team_id"],
            )


def _ts(value: str | None):  # type: ignore[no-untyped-def]
    from datetime import datetime

    return None if value is None else datetime.fromisoformat(value)
