from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from cognive_contracts.cli import DEFAULT_ROOT, main

pytestmark = pytest.mark.unit

SNAPSHOT = "schemas/events/ingest.llm_call.recorded.v1.json"


@pytest.fixture
def root(tmp_path: Path) -> Path:
    assert main(["--root", str(tmp_path), "export"]) == 0
    return tmp_path


def make_stable_with_extra_field(root: Path) -> None:
    """Pretend the committed snapshot was stable and had a field the model no longer has."""
    path = root / SNAPSHOT
    snap = json.loads(path.read_text())
    snap["x-cognive-status"] = "stable"
    snap["properties"]["legacy_field"] = {"type": "string"}
    snap["required"].append("legacy_field")
    path.write_text(json.dumps(snap))


def test_committed_snapshots_are_current() -> None:
    assert DEFAULT_ROOT.name == "contracts"
    assert main(["check"]) == 0


def test_export_then_check_passes(root: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert (root / "asyncapi.yaml").is_file()
    assert main(["--root", str(root), "check"]) == 0
    assert "contracts OK" in capsys.readouterr().out


def test_stale_snapshot_fails(root: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (root / SNAPSHOT).write_text("{}")
    (root / "schemas/events/ingest.gone.v1.json").write_text("{}")
    assert main(["--root", str(root), "check"]) == 1
    out = capsys.readouterr().out
    assert "run `cognive-contracts export`" in out
    assert SNAPSHOT in out
    assert "ingest.gone.v1.json" in out
    assert main(["--root", str(root), "export"]) == 0
    assert not (root / "schemas/events/ingest.gone.v1.json").exists()
    assert main(["--root", str(root), "check"]) == 0


def test_breaking_change_to_stable_type_fails(
    root: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    make_stable_with_extra_field(root)
    assert main(["--root", str(root), "check"]) == 1
    out = capsys.readouterr().out
    assert "ingest.llm_call.recorded.v1:legacy_field: removed_field" in out


def test_openapi_on_disk_is_its_own_baseline(root: Path) -> None:
    # Services write their OpenAPI snapshots; without a git baseline there is nothing to
    # compare them with, and a missing openapi/ directory is fine too.
    (root / "openapi").mkdir()
    doc = {"openapi": "3.1.0", "components": {"schemas": {"TeamOut": {"type": "object"}}}}
    (root / "openapi/registry.json").write_text(json.dumps(doc))
    assert main(["--root", str(root), "check"]) == 0  # current == committed on disk


@pytest.mark.skipif(shutil.which("git") is None, reason="needs git")
def test_check_against_git_revision(root: Path, capsys: pytest.CaptureFixture[str]) -> None:
    def git(*args: str) -> None:
        subprocess.run(
            ["git", "-c", "user.name=t", "-c", "user.email=t@example.invalid", *args],
            cwd=root,
            check=True,
            capture_output=True,
        )

    make_stable_with_extra_field(root)
    doc = {"openapi": "3.1.0", "components": {"schemas": {"TeamOut": {"type": "object"}}}}
    (root / "openapi").mkdir()
    (root / "openapi/registry.json").write_text(json.dumps(doc))
    git("init", "-q")
    git("add", ".")
    git("commit", "-q", "-m", "base")
    # The author re-exports (snapshots now match the models) and drops a public body.
    assert main(["--root", str(root), "export"]) == 0
    (root / "openapi/registry.json").write_text(json.dumps({"openapi": "3.1.0"}))
    capsys.readouterr()
    assert main(["--root", str(root), "check"]) == 0
    assert main(["--root", str(root), "check", "--against-git", "HEAD"]) == 1
    out = capsys.readouterr().out
    assert "legacy_field: removed_field" in out
    assert "openapi/registry.json#TeamOut: removed_type" in out
