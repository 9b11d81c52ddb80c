"""JSON Schema snapshots of every event model and public HTTP body.

The snapshots under ``contracts/schemas/`` are committed: CI diffs them (stale snapshot)
and the compat checker compares them (breaking change). Output is deterministic.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from cognive_contracts.envelope import CloudEvent, dataschema_for
from cognive_contracts.events import EVENT_MODELS
from cognive_contracts.http import HTTP_MODELS

STATUS_KEY = "x-cognive-status"
TYPE_KEY = "x-cognive-type"
EVENTS_DIR = "schemas/events"
HTTP_DIR = "schemas/http"
ENVELOPE_FILE = "schemas/envelope/CloudEvent.json"


def event_schema(routing_key: str) -> dict[str, Any]:
    model = EVENT_MODELS[routing_key]
    # Validation mode: what a consumer accepts is the contract.
    schema = model.model_json_schema(mode="validation")
    schema["$id"] = dataschema_for(routing_key)
    schema[STATUS_KEY] = model.contract_status
    schema[TYPE_KEY] = routing_key
    return schema


def http_schema(model: type[BaseModel]) -> dict[str, Any]:
    schema = model.model_json_schema(mode="validation")
    schema[STATUS_KEY] = getattr(model, "contract_status", "draft")
    schema[TYPE_KEY] = model.__name__
    return schema


def envelope_schema() -> dict[str, Any]:
    schema = CloudEvent.model_json_schema(mode="validation")
    schema[STATUS_KEY] = "draft"
    schema[TYPE_KEY] = "CloudEvent"
    return schema


def render(schema: dict[str, Any]) -> str:
    return json.dumps(schema, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def expected_files() -> dict[str, str]:
    """Every generated schema file (path relative to contracts/) and its content."""
    files = {f"{EVENTS_DIR}/{rk}.json": render(event_schema(rk)) for rk in EVENT_MODELS}
    for model in HTTP_MODELS:
        files[f"{HTTP_DIR}/{model.__name__}.json"] = render(http_schema(model))
    files[ENVELOPE_FILE] = render(envelope_schema())
    return files


def stale_files(root: Path, expected: dict[str, str]) -> list[str]:
    """Generated paths whose file is missing, different, or no longer generated."""
    stale = [p for p, text in expected.items() if _read(root / p) != text]
    for folder in (EVENTS_DIR, HTTP_DIR, Path(ENVELOPE_FILE).parent.as_posix()):
        base = root / folder
        if base.is_dir():
            for f in base.glob("*.json"):
                rel = f.relative_to(root).as_posix()
                if rel not in expected:
                    stale.append(rel)
    return sorted(stale)


def write_files(root: Path, expected: dict[str, str]) -> list[str]:
    """Write what changed and delete generated files that are no longer generated."""
    changed = stale_files(root, expected)
    for rel in changed:
        path = root / rel
        if rel in expected:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(expected[rel], encoding="utf-8")
        else:
            path.unlink()
    return changed


def _read(path: Path) -> str | None:
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return None
