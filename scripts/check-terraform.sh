#!/usr/bin/env bash
# Terraform and Tilt, checked without a cloud, a cluster or their binaries:
#   1. every .tf file parses (python-hcl2), every module has variables.tf, outputs.tf,
#      versions.tf and README.md, every var.x it uses is declared, environments pass only
#      variables the modules declare; tilt/Tiltfile parses as Starlark (a Python subset)
#      and agrees with the services (scripts/check_terraform.py);
#   2. checkov passes on terraform/ (bundled checks only; each skip justified inline).
# Each tool runs from a virtual environment of its own under .tools/, installed from its
# hashed lock in terraform/ and rebuilt only when that lock changes: checkov's
# bc-python-hcl2 and python-hcl2 install the same `hcl2` module, so they cannot share one,
# and neither belongs in the project's environment.
set -euo pipefail
cd "$(dirname "$0")/.."

command -v uv >/dev/null 2>&1 || python3 -m pip install --quiet uv

# venv DIR LOCK: DIR holds exactly LOCK (sha256 of the lock stamped inside DIR).
venv() {
  local dir=$1 lock=$2 want
  want=$(sha256sum "$lock" | cut -d' ' -f1)
  if [ "$(cat "$dir/.lock-sha256" 2>/dev/null)" != "$want" ] || [ ! -x "$dir/bin/python" ]; then
    echo "building $dir from $lock"
    rm -rf "$dir"
    uv venv --quiet --python 3.11 "$dir"
    uv pip sync --quiet --require-hashes --python "$dir/bin/python" "$lock"
    echo "$want" > "$dir/.lock-sha256"
  fi
}

venv .tools/hcl2-venv terraform/requirements-hcl2.lock
venv .tools/checkov-venv terraform/requirements-checkov.lock

.tools/hcl2-venv/bin/python scripts/check_terraform.py

# --skip-download: no network, no platform account; the checks are the bundled ones.
# Fails (non-zero) on any failed check; the summary line gives passed/failed/skipped.
report=$(mktemp)
trap 'rm -f "$report"' EXIT
status=0
.tools/checkov-venv/bin/checkov -d terraform --framework terraform --quiet --compact \
  --skip-download --output cli > "$report" 2>&1 || status=$?
grep -v '^\s*$' "$report" | tail -n 40 || true
if [ "$status" != 0 ]; then
  echo "checkov failed (exit $status)"
  exit "$status"
fi
