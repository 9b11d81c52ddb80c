"""``cognive-cost`` / ``python -m cognive_cost``: serve the API and run the loops."""

from __future__ import annotations

from fastapi import FastAPI

from cognive_cost.bootstrap import create_app
from cognive_cost.settings import CostSettings
from cognive_runtime.service import serve


def app_from_env() -> FastAPI:
    return create_app(CostSettings())


def main() -> None:
    settings = CostSettings()
    serve("cognive_cost.__main__:app_from_env", settings, workers=settings.http_workers)


if __name__ == "__main__":
    main()
