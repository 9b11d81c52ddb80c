#!/usr/bin/env bash
# Every chart linted and rendered with real helm; the rendered manifests must parse and
# carry what the operations issue asks for (probes, PDB, NetworkPolicy, migration Job,
# one Ingress routing every service's prefixes).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/get-helm.sh >/dev/null
helm=.tools/helm
out=$(mktemp -d)
# values.schema.json of each service chart is generated from its settings class.
.venv/bin/python scripts/chart_schemas.py --check
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
$helm template cg charts/cognive --set ingest.autoscaling.enabled=true \
  --set console.enabled=true -f charts/cognive/ci/console-values.yaml > "$out/cognive.yaml"

# Wrong values are refused by the schemas, naming what is wrong.
refuse() {
  local why=$1; shift
  if msg=$($helm template cg "$@" 2>&1); then echo "accepted: $*"; exit 1; fi
  grep -q -- "$why" <<<"$msg" || { echo "refused for another reason: $*"; echo "$msg"; exit 1; }
}
refuse "invalid propertyName 'postgres_dsn'" charts/budget --set settings.postgres_dsn=postgres://u:p@db/x
refuse "invalid propertyName 'no_such_setting'" charts/cost --set settings.no_such_setting=1
refuse "missing property 'secret_keys'" charts/notification --set secretSettings.secret_keys=null
refuse "minimum" charts/registry --set terminationGracePeriodSeconds=5
refuse "are exclusive" charts/cost --set keda.enabled=true --set autoscaling.enabled=true
refuse "does not match pattern" charts/console -f charts/console/ci/oidc-values.yaml --set services.cost=ftp://x

# KEDA on queue depth: a ScaledObject for the service's queue, and the replica count left to it.
$helm template cg charts/cost --set keda.enabled=true > "$out/cost-keda.yaml"
grep -q "queueName: \"cost.llm_calls\"" "$out/cost-keda.yaml"
if grep -q "^  replicas:" "$out/cost-keda.yaml"; then echo "KEDA on, yet replicas set"; exit 1; fi

# Every rendered object against the Kubernetes API schemas (strict: no unknown fields).
.venv/bin/kubernetes-validate --strict --quiet -k 1.31.0 "$out"/*.yaml
.venv/bin/python scripts/check_manifests.py "$out"
rm -rf "$out"
