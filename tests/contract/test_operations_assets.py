"""The alert rules and the dashboard refer only to metrics the code exports (a renamed
metric must not silently blind an alert)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
import yaml
from prometheus_client import REGISTRY

import cognive_budget.metrics  # noqa: F401 (each import registers its metrics)
import cognive_cost.metrics  # noqa: F401
import cognive_ingest.metrics  # noqa: F401
import cognive_notification.metrics  # noqa: F401
import cognive_runtime.metrics  # noqa: F401

pytestmark = pytest.mark.unit
ROOT = Path(__file__).resolve().parents[2]
_SUFFIXES = ("_bucket", "_count", "_sum", "_total", "_created")


def exported() -> set[str]:
    names = set()
    for metric in REGISTRY.collect():
        names.add(metric.name)
        for sample in metric.samples:
            names.add(sample.name)
    names |= {n + s for n in list(names) for s in _SUFFIXES}
    return names


def referenced(text: str) -> set[str]:
    return set(re.findall(r"\bcognive_[a-z_]+\b", text))


def test_alert_rules_use_exported_metrics() -> None:
    rules = yaml.safe_load((ROOT / "charts/cognive/files/cognive-alerts.yaml").read_text())
    exprs = [r["expr"] for g in rules["groups"] for r in g["rules"]]
    assert len(exprs) >= 8
    missing = set().union(*(referenced(e) for e in exprs)) - exported()
    assert not missing, missing


def test_dashboard_uses_exported_metrics() -> None:
    dashboard = json.loads((ROOT / "deploy/grafana/cognive-overview.json").read_text())
    exprs = [t["expr"] for p in dashboard["panels"] for t in p["targets"]]
    missing = set().union(*(referenced(e) for e in exprs)) - exported()
    assert not missing, missing
