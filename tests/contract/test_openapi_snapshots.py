"""The committed OpenAPI snapshots are what the services serve: an API change without a
re-export (`make contracts`) fails here, and the re-exported snapshot is then judged by the
compatibility check against the previous one."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

pytestmark = pytest.mark.unit

ROOT = Path(__file__).resolve().parents[2]
spec = importlib.util.spec_from_file_location(
    "export_openapi", ROOT / "scripts" / "export_openapi.py"
)
assert spec is not None and spec.loader is not None
export_openapi = importlib.util.module_from_spec(spec)
spec.loader.exec_module(export_openapi)


@pytest.mark.parametrize("service", sorted(export_openapi.SERVICES))
def test_snapshot_matches_the_service(service: str) -> None:
    committed = (ROOT / "contracts" / "openapi" / f"{service}.json").read_text()
    generated = export_openapi.render(export_openapi.SERVICES[service]())
    assert committed == generated, (
        f"run `make contracts` to refresh contracts/openapi/{service}.json"
    )


@pytest.mark.parametrize("service", sorted(export_openapi.SERVICES))
def test_problem_responses_and_prefixes(service: str) -> None:
    document = export_openapi.SERVICES[service]()
    prefixes = {
        "ingest": ("/v1/events", "/v1/runs", "/v1/policy-violations"),
        "registry": (
            "/v1/teams",
            "/v1/agents",
            "/v1/api-keys",
            "/v1/users",
            "/v1/auth",
            "/v1/audit",
        ),
        "cost": ("/v1/pricing", "/v1/costs"),
        "budget": ("/v1/budgets", "/v1/checks", "/v1/blocked-calls"),
        "notification": ("/v1/channels", "/v1/subscriptions", "/v1/deliveries"),
    }[service]
    for path in document["paths"]:
        assert path.startswith(prefixes), f"{service} serves {path} outside its prefixes"
