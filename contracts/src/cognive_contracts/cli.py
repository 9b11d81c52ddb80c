"""``cognive-contracts``: export the snapshots, or check them (CI)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from cognive_contracts.asyncapi import ASYNCAPI_FILE, build_document
from cognive_contracts.asyncapi import render as render_asyncapi
from cognive_contracts.schema_export import expected_files, stale_files, write_files
from cognive_contracts.snapshots import breaking_changes, current, read_dir, read_git

# contracts/src/cognive_contracts/cli.py → contracts/
DEFAULT_ROOT = Path(__file__).resolve().parents[2]


def _say(line: str) -> None:
    # The CLI's report is its output, not a log line.
    sys.stdout.write(line + "\n")


def generated_files() -> dict[str, str]:
    files = expected_files()
    files[ASYNCAPI_FILE] = render_asyncapi(build_document())
    return files


def cmd_export(root: Path) -> int:
    changed = write_files(root, generated_files())
    for rel in changed:
        _say(f"wrote {rel}")
    _say(f"{len(changed)} file(s) changed")
    return 0


def cmd_check(root: Path, against_git: str | None) -> int:
    baseline = read_git(root, against_git) if against_git else read_dir(root)
    failed = False
    changes = breaking_changes(baseline, current(root))
    if changes:
        failed = True
        _say(f"{len(changes)} breaking change(s) to stable contracts:")
        for change in changes:
            _say(f"  - {change}")
        _say("A breaking change needs a new version (.v2) beside the old one.")
    stale = stale_files(root, generated_files())
    if stale:
        failed = True
        _say("Committed snapshots are stale; run `cognive-contracts export`:")
        for rel in stale:
            _say(f"  - {rel}")
    if not failed:
        _say("contracts OK")
    return 1 if failed else 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="cognive-contracts", description=__doc__)
    parser.add_argument("--root", type=Path, default=DEFAULT_ROOT, help="the contracts/ directory")
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("export", help="write schemas/ and asyncapi.yaml from the models")
    check = sub.add_parser(
        "check", help="fail on breaking changes to stable types or stale snapshots"
    )
    check.add_argument(
        "--against-git",
        metavar="REF",
        help="compare with the snapshots committed at REF (e.g. origin/main) instead of "
        "those on disk; CI uses this so re-exported snapshots cannot hide a break",
    )
    args = parser.parse_args(argv)
    if args.root is None and not (DEFAULT_ROOT / "src" / "cognive_contracts").is_dir():
        # Installed from a wheel: there is no source tree to find the snapshots in.
        parser.error("cannot find the contracts/ directory; pass --root")
    root: Path = (args.root or DEFAULT_ROOT).resolve()
    if args.command == "export":
        return cmd_export(root)
    return cmd_check(root, args.against_git)


if __name__ == "__main__":
    sys.exit(main())
