"""The audit trail: every admin event, registry's own and the other services' (recorded in
registry's log by the audit consumer), chained by hash in the order the log is followed —
commit order, which is not always position order — and numbered in that order
(`chain_seq`) so that verification walks the same chain."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime
from typing import Any

import asyncpg

from cognive_contracts.events import EVENT_MODELS, is_admin_event
from cognive_registry.domain.audit import GENESIS, link
from cognive_runtime.eventlog import RecordedEvent
from cognive_runtime.projections import TableNames

# Registry's private record of another service's admin event (never published).
AUDIT_RECORDED = "registry.audit.recorded.v1"

TYPES = frozenset({AUDIT_RECORDED, *(t for t in EVENT_MODELS if t.startswith("registry."))})


def entry_for(event: RecordedEvent) -> dict[str, Any]:
    if event.type == AUDIT_RECORDED:
        d = event.data
        return {
            "position": event.global_position,
            "event_id": d["event_id"],
            "type": d["type"],
            "source": d["source"],
            "actor": d.get("actor"),
            "team_id": d.get("data", {}).get("team_id"),
            "subject": d["subject"],
            "occurred_at": datetime.fromisoformat(d["time"]),
            "data": d.get("data", {}),
        }
    return {
        "position": event.global_position,
        "event_id": str(event.event_id),
        "type": event.type,
        "source": "/cognive/registry",
        "actor": event.metadata.get("actor"),
        "team_id": event.data.get("team_id"),
        "subject": event.stream_id,
        "occurred_at": event.recorded_at,
        "data": event.data,
    }


class AuditProjection:
    name = "audit"
    tables = ("audit_entries",)
    types = TYPES

    async def apply(
        self, conn: asyncpg.Connection, events: Sequence[RecordedEvent], tables: TableNames
    ) -> None:
        table = tables["audit_entries"]
        last = await conn.fetchrow(
            f"SELECT hash, chain_seq FROM {table} ORDER BY chain_seq DESC LIMIT 1"
        )
        prev, seq = (last["hash"], last["chain_seq"]) if last else (GENESIS, 0)
        rows = []
        for event in events:
            if event.type != AUDIT_RECORDED and not is_admin_event(event.type):
                continue
            entry = entry_for(event)
            digest = link(prev, entry)
            seq += 1
            rows.append(
                (
                    entry["position"],
                    entry["event_id"],
                    entry["type"],
                    entry["source"],
                    entry["actor"],
                    entry["team_id"],
                    entry["subject"],
                    entry["occurred_at"],
                    json.dumps(entry["data"]),
                    prev,
                    digest,
                    seq,
                )
            )
            prev = digest
        await conn.executemany(
            f"INSERT INTO {table} (position, event_id, type, source, actor, team_id, subject,"
            " occurred_at, data, prev_hash, hash, chain_seq)"
            " VALUES ($1, $2::text::uuid, $3, $4, $5, $6, $7, $8, $9::text::jsonb, $10, $11, $12)",
            rows,
        )
