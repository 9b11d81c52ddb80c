#!/usr/bin/env bash
# Every chart linted and rendered with real helm; the rendered manifests must parse and
# carry what the operations issue asks for (probes, PDB, NetworkPolicy, migration Job,
# one Ingress routing every service's prefixes).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/get-helm.sh >/dev/null
helm=.tools/helm
out=$(mktemp -d)
for chart in ingest registry cost budget notification; do
  $helm dependency update --skip-refresh "charts/$chart" >/dev/null
  $helm lint --strict "charts/$chart" >/dev/null
  $helm template "cg" "charts/$chart" > "$out/$chart.yaml"
done
# The console: lint and render as production runs it (OIDC); with neither OIDC nor the dev
# login it must refuse to render, naming the values to set.
$helm dependency update --skip-refresh charts/console >/dev/null
$helm lint --strict charts/console -f charts/console/ci/oidc-values.yaml >/dev/null
$helm template cg charts/console -f charts/console/ci/oidc-values.yaml > "$out/console.yaml"
if refused=$($helm template cg charts/console 2>&1); then
  echo "charts/console rendered without a sign-in method"; exit 1
fi
grep -q "set oidc (production) or devLogin: true" <<<"$refused"
$helm dependency update --skip-refresh charts/cognive >/dev/null
$helm lint --strict charts/cognive >/dev/null
$helm template cg charts/cognive --set ingest.autoscaling.enabled=true > "$out/cognive.yaml"
.venv/bin/python scripts/check_manifests.py "$out"
rm -rf "$out"
