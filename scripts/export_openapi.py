"""Writes each landed service's OpenAPI document to contracts/openapi/<service>.json.

The compatibility check (`cognive-contracts check --against-git`) compares these snapshots
with the previous ones; tests/contract proves they match the code. Building an app opens
nothing (clients are created in the lifespan), so this needs no running services."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
OPENAPI_DIR = ROOT / "contracts" / "openapi"


def _ingest() -> dict[str, Any]:
    from cognive_ingest.bootstrap import create_app
    from cognive_ingest.settings import IngestSettings

    return create_app(IngestSettings()).openapi()


def _registry() -> dict[str, Any]:
    from cognive_registry.bootstrap import create_app
    from cognive_registry.settings import RegistrySettings

    return create_app(RegistrySettings()).openapi()


def _cost() -> dict[str, Any]:
    from cognive_cost.bootstrap import create_app
    from cognive_cost.settings import CostSettings

    return create_app(CostSettings()).openapi()


def _budget() -> dict[str, Any]:
    from cognive_budget.bootstrap import create_app
    from cognive_budget.settings import BudgetSettings

    return create_app(BudgetSettings()).openapi()


def _notification() -> dict[str, Any]:
    from cognive_notification.bootstrap import create_app
    from cognive_notification.settings import NotificationSettings

    return create_app(NotificationSettings()).openapi()


SERVICES: dict[str, Callable[[], dict[str, Any]]] = {
    "ingest": _ingest,
    "registry": _registry,
    "cost": _cost,
    "budget": _budget,
    "notification": _notification,
}


def render(document: dict[str, Any]) -> str:
    return json.dumps(document, indent=2, sort_keys=True) + "\n"


def main() -> int:
    OPENAPI_DIR.mkdir(parents=True, exist_ok=True)
    for service, build in SERVICES.items():
        path = OPENAPI_DIR / f"{service}.json"
        path.write_text(render(build()))
        print(f"wrote {path.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
