"""Checks the manifests the charts render (`scripts/check-charts.sh`): every document
parses, each service has its Deployment with the three probes and a SIGTERM grace, its
Service, PDB, NetworkPolicy and migration hook; the umbrella's Ingress routes every /v1
prefix of ARCHITECTURE §6 to the service that owns it."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import yaml

ROUTES = {
    "ingest": ["/v1/events", "/v1/runs", "/v1/policy-violations"],
    "registry": ["/v1/teams", "/v1/agents", "/v1/api-keys", "/v1/users", "/v1/auth", "/v1/audit"],
    "cost": ["/v1/pricing", "/v1/costs"],
    "budget": ["/v1/budgets", "/v1/checks", "/v1/blocked-calls"],
    "notification": ["/v1/channels", "/v1/subscriptions", "/v1/deliveries"],
}


def docs(path: Path) -> list[dict]:
    return [d for d in yaml.safe_load_all(path.read_text()) if d]


def check_service(service: str, manifests: list[dict]) -> None:
    kinds = {d["kind"]: d for d in manifests}
    for kind in ("Deployment", "Service", "PodDisruptionBudget", "NetworkPolicy", "Job"):
        assert kind in kinds, f"{service}: no {kind}"
    pod = kinds["Deployment"]["spec"]["template"]["spec"]
    container = pod["containers"][0]
    for probe, path in (
        ("startupProbe", "/health/startup"),
        ("livenessProbe", "/health/live"),
        ("readinessProbe", "/health/ready"),
    ):
        assert container[probe]["httpGet"]["path"] == path, (service, probe)
    assert pod["terminationGracePeriodSeconds"] > 25, service
    env = {e["name"] for e in container["env"]}
    prefix = f"COGNIVE_{service.upper()}_"
    assert f"{prefix}POSTGRES_DSN" in env, (service, env)
    assert f"{prefix}HTTP_PORT" in env, (service, env)
    job = kinds["Job"]
    assert "pre-upgrade" in job["metadata"]["annotations"]["helm.sh/hook"]
    assert job["spec"]["template"]["spec"]["containers"][0]["command"][-1] == "migrate"


def check_console(manifests: list[dict]) -> None:
    kinds = {d["kind"]: d for d in manifests}
    for kind in ("Deployment", "Service", "ConfigMap", "PodDisruptionBudget", "NetworkPolicy"):
        assert kind in kinds, f"console: no {kind}"
    pod = kinds["Deployment"]["spec"]["template"]["spec"]
    container = pod["containers"][0]
    for probe in ("startupProbe", "livenessProbe", "readinessProbe"):
        assert container[probe]["httpGet"]["path"] == "/healthz", probe
    assert pod["securityContext"]["runAsNonRoot"] is True
    assert container["securityContext"]["readOnlyRootFilesystem"] is True
    assert container["resources"]["limits"]["memory"]
    config = json.loads(kinds["ConfigMap"]["data"]["config.json"])
    assert set(config["services"]) == set(ROUTES), config
    assert config["devLogin"] is False, config
    assert config["oidc"]["clientId"], config
    assert kinds["NetworkPolicy"]["spec"]["egress"] == [], "the console pod calls nothing"


def main(directory: str) -> int:
    out = Path(directory)
    for service in ROUTES:
        check_service(service, docs(out / f"{service}.yaml"))
    check_console(docs(out / "console.yaml"))
    umbrella = docs(out / "cognive.yaml")
    (ingress,) = [d for d in umbrella if d["kind"] == "Ingress"]
    routed: dict[str, str] = {}
    for rule in ingress["spec"]["rules"]:
        for path in rule["http"]["paths"]:
            routed[path["path"]] = path["backend"]["service"]["name"]
    for service, prefixes in ROUTES.items():
        for prefix in prefixes:
            assert routed.get(prefix) == f"cg-{service}", (prefix, routed.get(prefix))
    deployments = [d for d in umbrella if d["kind"] == "Deployment"]
    assert len(deployments) == 5, [d["metadata"]["name"] for d in deployments]
    hpas = [d["metadata"]["name"] for d in umbrella if d["kind"] == "HorizontalPodAutoscaler"]
    assert hpas == ["cg-ingest"], hpas
    scaled = next(d for d in deployments if d["metadata"]["name"] == "cg-ingest")
    assert "replicas" not in scaled["spec"], "the HPA owns the replica count"
    print(f"charts OK: 5 services + console + umbrella, {len(routed)} routes")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
