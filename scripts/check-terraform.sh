#!/usr/bin/env bash
# Terraform and Tilt, checked without a cloud, a cluster or their binaries: the HCL parses and
# its modules are consistent (scripts/check_terraform.py), checkov passes (each skip is
# justified inline), and the Tiltfile parses as Starlark (a Python subset).
set -euo pipefail
cd "$(dirname "$0")/.."

.venv/bin/python scripts/check_terraform.py

# checkov lives in a virtual environment of its own, from its own hashed lock: it brings an
# HCL parser that clashes with python-hcl2. Rebuilt only when the lock changes.
venv=.tools/checkov-venv
lock=terraform/requirements-checkov.lock
stamp="$venv/.lock-sha256"
want=$(sha256sum "$lock" | cut -d' ' -f1)
if [ ! -x "$venv/bin/checkov" ] || [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
  rm -rf "$venv"
  uv venv --quiet --python 3.11 "$venv"
  uv pip sync --quiet --python "$venv/bin/python" "$lock"
  echo "$want" > "$stamp"
fi
# --skip-download: no network, no platform account; the checks are the bundled ones.
"$venv/bin/checkov" -d terraform --framework terraform --quiet --compact --skip-download \
  --output cli | tail -n 20

.venv/bin/python - <<'PY'
import ast, pathlib
ast.parse(pathlib.Path("tilt/Tiltfile").read_text(), "tilt/Tiltfile")
print("tilt/Tiltfile parses")
PY
