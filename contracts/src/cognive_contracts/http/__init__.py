"""Public HTTP bodies shared by every service (services add their own beside these)."""

from __future__ import annotations

from cognive_contracts.http.budget import BUDGET_HTTP_MODELS
from cognive_contracts.http.cost import COST_HTTP_MODELS
from cognive_contracts.http.ingest import INGEST_HTTP_MODELS
from cognive_contracts.http.notification import NOTIFICATION_HTTP_MODELS
from cognive_contracts.http.pagination import Page
from cognive_contracts.http.problem import PROBLEM_CONTENT_TYPE, FieldError, ProblemDetails
from cognive_contracts.http.registry import REGISTRY_HTTP_MODELS

HTTP_MODELS = (
    ProblemDetails,
    FieldError,
    *INGEST_HTTP_MODELS,
    *REGISTRY_HTTP_MODELS,
    *COST_HTTP_MODELS,
    *BUDGET_HTTP_MODELS,
    *NOTIFICATION_HTTP_MODELS,
)

__all__ = ["HTTP_MODELS", "PROBLEM_CONTENT_TYPE", "FieldError", "Page", "ProblemDetails"]
