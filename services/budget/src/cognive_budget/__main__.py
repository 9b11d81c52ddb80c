"""``cognive-budget`` / ``python -m cognive_budget``: serve the API and run the loops."""

from __future__ import annotations

from fastapi import FastAPI

from cognive_budget.bootstrap import create_app
from cognive_budget.settings import BudgetSettings
from cognive_runtime.service import serve


def app_from_env() -> FastAPI:
    return create_app(BudgetSettings())


def main() -> None:
    settings = BudgetSettings()
    serve("cognive_budget.__main__:app_from_env", settings, workers=settings.http_workers)


if __name__ == "__main__":
    main()
