"""Exceptions the SDK raises into agent code, and only from calls that ask for an answer
(registration, budget checks); logging calls never raise."""

from __future__ import annotations

from typing import Any, Optional


class CogniveError(Exception):
    """Base class of every exception the SDK raises."""


class ApiError(CogniveError):
    def __init__(self, status: int, problem: dict[str, Any]) -> None:
        self.status = status
        self.problem = problem
        super().__init__(f"{status} {problem.get('title', '')}: {problem.get('detail', '')}")


class BudgetExceeded(CogniveError):
    """The pre-flight check answered 429: the call would overspend `policy`."""

    def __init__(
        self, policy: Optional[dict[str, Any]], retry_after: Optional[float], detail: str
    ) -> None:
        self.policy = policy
        self.retry_after = retry_after
        super().__init__(detail)


class ModelNotAllowed(CogniveError):
    """The pre-flight check answered 403: the agent may not use this model."""

    def __init__(self, model: str, detail: str) -> None:
        self.model = model
        super().__init__(detail)


class BudgetUnavailable(CogniveError):
    """The budget service could not be reached and the client fails closed."""
