"""Sets of contract snapshots: the committed ones (a directory or a git revision) and the
current ones (generated from the models), and the breaking changes between two sets."""

from __future__ import annotations

import json
import shutil
import subprocess
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from cognive_contracts.compat import (
    BreakingChange,
    compare_openapi,
    compare_schema_sets,
)
from cognive_contracts.schema_export import (
    ENVELOPE_FILE,
    EVENTS_DIR,
    HTTP_DIR,
    STATUS_KEY,
    expected_files,
)

OPENAPI_DIR = "openapi"


@dataclass(frozen=True)
class SnapshotSet:
    # routing key / body name / "CloudEvent" → JSON Schema
    events: dict[str, dict[str, Any]] = field(default_factory=dict)
    http: dict[str, dict[str, Any]] = field(default_factory=dict)
    envelope: dict[str, dict[str, Any]] = field(default_factory=dict)
    # service (file stem) → OpenAPI document
    openapi: dict[str, dict[str, Any]] = field(default_factory=dict)


def _from_files(files: dict[str, str]) -> SnapshotSet:
    snap = SnapshotSet()
    for rel, text in files.items():
        path = Path(rel)
        if path.suffix != ".json":
            continue
        folder = path.parent.as_posix()
        target = {
            EVENTS_DIR: snap.events,
            HTTP_DIR: snap.http,
            Path(ENVELOPE_FILE).parent.as_posix(): snap.envelope,
            OPENAPI_DIR: snap.openapi,
        }.get(folder)
        if target is not None:
            target[path.stem] = json.loads(text)
    return snap


def read_dir(root: Path) -> SnapshotSet:
    """The snapshots as they are on disk under ``root`` (the contracts/ directory)."""
    folders = (EVENTS_DIR, HTTP_DIR, Path(ENVELOPE_FILE).parent.as_posix(), OPENAPI_DIR)
    files = {
        f.relative_to(root).as_posix(): f.read_text(encoding="utf-8")
        for folder in folders
        if (root / folder).is_dir()
        for f in sorted((root / folder).glob("*.json"))
    }
    return _from_files(files)


def read_git(root: Path, ref: str) -> SnapshotSet:
    """The snapshots committed at a git revision (e.g. the base branch in CI), so that a
    breaking change is caught even when its author re-exported the snapshots."""
    git = shutil.which("git")
    if git is None:
        raise RuntimeError("git is not installed")

    def run(*args: str) -> str:
        # Arguments come from the command line of a developer or CI, not from input.
        return subprocess.run(  # noqa: S603
            [git, *args], cwd=root, check=True, capture_output=True, text=True
        ).stdout

    folders = (EVENTS_DIR, HTTP_DIR, Path(ENVELOPE_FILE).parent.as_posix(), OPENAPI_DIR)
    names = run("ls-tree", "-r", "--name-only", ref, "--", *folders).split()
    return _from_files({name: run("show", f"{ref}:./{name}") for name in names})


def current(root: Path) -> SnapshotSet:
    """What the models say now; OpenAPI documents are written by the services, so the
    current ones are those on disk."""
    generated = _from_files(expected_files())
    return SnapshotSet(
        events=generated.events,
        http=generated.http,
        envelope=generated.envelope,
        openapi=read_dir(root).openapi,
    )


def breaking_changes(baseline: SnapshotSet, now: SnapshotSet) -> list[BreakingChange]:
    changes = compare_schema_sets(baseline.events, now.events, STATUS_KEY)
    changes += compare_schema_sets(baseline.http, now.http, STATUS_KEY)
    changes += compare_schema_sets(baseline.envelope, now.envelope, STATUS_KEY)
    for service, old_doc in sorted(baseline.openapi.items()):
        new_doc = now.openapi.get(service)
        if new_doc is None:
            changes.append(
                BreakingChange(f"openapi/{service}.json", "", "removed_type", "document removed")
            )
        else:
            changes += compare_openapi(f"openapi/{service}.json", old_doc, new_doc)
    return changes
