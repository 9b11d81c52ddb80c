"""The audit trail's hash chain: each entry's hash covers the previous hash and the entry's
canonical JSON, so editing or deleting any entry breaks every later link."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from typing import Any

GENESIS = "0" * 64

# The fields that make up an entry's identity in the chain (not the stored hashes).
CHAINED_FIELDS = (
    "position",
    "event_id",
    "type",
    "source",
    "actor",
    "team_id",
    "subject",
    "occurred_at",
    "data",
)


def _plain(value: Any) -> Any:
    # Timestamps hash as UTC ISO-8601 whether they come from an event or back from Postgres.
    if isinstance(value, datetime):
        return value.astimezone(UTC).isoformat()
    return str(value)


def canonical(entry: Mapping[str, Any]) -> bytes:
    body = {name: entry[name] for name in CHAINED_FIELDS}
    return json.dumps(body, sort_keys=True, separators=(",", ":"), default=_plain).encode()


def link(prev_hash: str, entry: Mapping[str, Any]) -> str:
    return hashlib.sha256(prev_hash.encode() + b"\n" + canonical(entry)).hexdigest()


def first_broken(entries: Iterable[Mapping[str, Any]]) -> tuple[int, int | None, str | None]:
    """(entries checked, position of the first broken link or None, why)."""
    prev = GENESIS
    count = 0
    for entry in entries:
        count += 1
        if entry["prev_hash"] != prev:
            return count, int(entry["position"]), "prev_hash does not match the previous entry"
        if link(prev, entry) != entry["hash"]:
            return count, int(entry["position"]), "hash does not match the entry's content"
        prev = entry["hash"]
    return count, None, None
