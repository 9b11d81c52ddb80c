"""Checks the manifests the charts render (`scripts/check-charts.sh`): every document
parses, each service has its Deployment with the three probes and a SIGTERM grace, its
Service, PDB, NetworkPolicy and migration hook; the umbrella's Ingress routes every /v1
prefix of ARCHITECTURE §6 to the service that owns it, and / to the console.

Nothing here can run a cluster or build an image, so the deployment files are held to the
code instead: every env var a chart sets is a field of that service's settings, credentials
come from Secrets only, the probe paths are routes of the app, the container port is the one
the service is told to listen on, and every command (the Deployment's, the migration Job's,
the Dockerfile's) is a console script the workspace installs."""

from __future__ import annotations

import json
import re
import sys
import tomllib
from pathlib import Path

import yaml
from chart_schemas import settings_class  # the same lookup the chart schemas are made with

from cognive_runtime.service.health import router as health_router

ROOT = Path(__file__).resolve().parent.parent

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
    check_drift(service, container, job["spec"]["template"]["spec"]["containers"][0])


def console_scripts() -> set[str]:
    names: set[str] = set()
    for pyproject in ROOT.glob("**/pyproject.toml"):
        if ".venv" in pyproject.parts or "node_modules" in pyproject.parts:
            continue
        names |= set(tomllib.loads(pyproject.read_text()).get("project", {}).get("scripts", {}))
    return names


CREDENTIALS = re.compile(r"(DSN|_URL|SECRET|PASSWORD|_KEYS)$")


def check_drift(service: str, container: dict, migration: dict) -> None:
    prefix = f"COGNIVE_{service.upper()}_"
    fields = set(settings_class(service).model_fields)
    for env in container["env"]:
        name = env["name"]
        assert name.startswith(prefix), (service, name)
        key = name.removeprefix(prefix).lower()
        assert key in fields, f"{service}: {name} is not a setting of the service"
        if CREDENTIALS.search(name) and not name.endswith("JWKS_URL"):
            assert "valueFrom" in env, f"{service}: {name} must come from a Secret, not a value"
    port = next(e["value"] for e in container["env"] if e["name"] == f"{prefix}HTTP_PORT")
    assert int(port) == container["ports"][0]["containerPort"], (service, port)
    routes = {r.path for r in health_router.routes}  # type: ignore[attr-defined]
    for probe in ("startupProbe", "livenessProbe", "readinessProbe"):
        assert container[probe]["httpGet"]["path"] in routes, (service, probe, routes)
    scripts = console_scripts()
    assert container["command"][0] in scripts, (service, container["command"])
    assert migration["command"][0] in scripts, (service, migration["command"])


def check_dockerfiles() -> None:
    scripts = console_scripts()
    for dockerfile in (ROOT / "Dockerfile",):
        for line in dockerfile.read_text().splitlines():
            if line.startswith(("CMD", "ENTRYPOINT")):
                command = json.loads(line.split(maxsplit=1)[1])[0]
                assert command in scripts, (dockerfile.name, command)


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
    check_dockerfiles()
    umbrella = docs(out / "cognive.yaml")
    (ingress,) = [d for d in umbrella if d["kind"] == "Ingress"]
    routed: dict[str, str] = {}
    for rule in ingress["spec"]["rules"]:
        for path in rule["http"]["paths"]:
            routed[path["path"]] = path["backend"]["service"]["name"]
    for service, prefixes in ROUTES.items():
        for prefix in prefixes:
            assert routed.get(prefix) == f"cg-{service}", (prefix, routed.get(prefix))
    assert routed.get("/") == "cg-console", routed.get("/")
    (rule,) = [d for d in umbrella if d["kind"] == "PrometheusRule"]
    alerts = [r["alert"] for g in rule["spec"]["groups"] for r in g["rules"]]
    assert len(alerts) >= 8, alerts
    deployments = [d for d in umbrella if d["kind"] == "Deployment"]
    assert len(deployments) == 6, [d["metadata"]["name"] for d in deployments]
    hpas = [d["metadata"]["name"] for d in umbrella if d["kind"] == "HorizontalPodAutoscaler"]
    assert hpas == ["cg-ingest"], hpas
    scaled = next(d for d in deployments if d["metadata"]["name"] == "cg-ingest")
    assert "replicas" not in scaled["spec"], "the HPA owns the replica count"
    print(
        f"charts OK: 5 services + console + umbrella, {len(routed)} routes;"
        " env, probes, ports and commands match the code"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
