"""The client: configuration, agent registration, budget checks, and the transport that
carries every logged event to ingest."""

from __future__ import annotations

import logging
import threading
import uuid
from dataclasses import dataclass, field
from typing import Any, Optional, Sequence

import httpx

from cognive.config import Config
from cognive.errors import (
    ApiError,
    BudgetExceeded,
    BudgetUnavailable,
    CogniveError,
    ModelNotAllowed,
)
from cognive.run import Run
from cognive.transport import Transport

log = logging.getLogger("cognive")

_default: Optional[Client] = None
_default_lock = threading.Lock()


@dataclass
class Agent:
    client: Client
    agent_id: str
    name: str
    team_id: Optional[str] = None
    environment: str = "dev"
    allowed_models: list[str] = field(default_factory=list)

    def run(
        self,
        name: Optional[str] = None,
        *,
        metadata: Optional[dict[str, Any]] = None,
        tags: Sequence[str] = (),
        run_id: Optional[str] = None,
        parent_run_id: Optional[str] = None,
    ) -> Run:
        return Run(
            self.client,
            self,
            name=name,
            metadata=metadata,
            tags=tags,
            run_id=run_id,
            parent_run_id=parent_run_id,
        )


class Client:
    """`cognive.Client()` reads COGNIVE_API_KEY and COGNIVE_BASE_URL (and the per-service
    COGNIVE_INGEST_URL / COGNIVE_REGISTRY_URL / COGNIVE_BUDGET_URL). With
    COGNIVE_ENABLED=false it does nothing at all: no thread, no buffer, no requests."""

    def __init__(
        self,
        api_key: Optional[str] = None,
        base_url: Optional[str] = None,
        *,
        enabled: Optional[bool] = None,
        config: Optional[Config] = None,
        **options: Any,
    ) -> None:
        self.config = config or Config.from_env(
            api_key=api_key, base_url=base_url, enabled=enabled, **options
        )
        self._transport: Optional[Transport] = (
            Transport(self.config) if self.config.enabled else None
        )
        global _default
        with _default_lock:
            if _default is None:
                _default = self

    @property
    def enabled(self) -> bool:
        return self._transport is not None

    def _headers(self) -> dict[str, str]:
        headers = dict(self.config.extra_headers)
        if self.config.api_key:
            headers["Authorization"] = f"Bearer {self.config.api_key}"
        return headers

    def _submit(self, event: dict[str, Any]) -> None:
        if self._transport is not None:
            self._transport.enqueue(event)

    # ------------------------------------------------------------------ registry
    def register_agent(
        self,
        name: str,
        *,
        framework: str = "custom",
        team: Optional[str] = None,
        environment: str = "dev",
        allowed_models: Sequence[str] = (),
        approved_tools: Sequence[str] = (),
        description: Optional[str] = None,
        version: Optional[str] = None,
        tags: Sequence[str] = (),
        metadata: Optional[dict[str, Any]] = None,
    ) -> Agent:
        """Idempotent on (team, name, environment): call it at every start. Raises
        CogniveError when registry refuses or cannot be reached."""
        if not self.enabled:
            return Agent(
                self, f"disabled-{uuid.uuid4()}", name, team, environment, list(allowed_models)
            )
        body = {
            "name": name,
            "framework": framework,
            "environment": environment,
            "allowed_models": list(allowed_models),
            "approved_tools": list(approved_tools),
            "description": description,
            "version": version,
            "tags": list(tags),
            "metadata": metadata or {},
        }
        if team is not None:
            body["team_id"] = team
        try:
            response = httpx.post(
                self.config.url("registry") + "/v1/agents",
                json=body,
                headers=self._headers(),
                timeout=self.config.request_timeout_s,
            )
        except httpx.HTTPError as exc:
            raise CogniveError(f"registry unreachable: {exc}") from exc
        if response.status_code not in (200, 201):
            raise ApiError(response.status_code, _problem(response))
        data = response.json()
        return Agent(
            self,
            data["agent_id"],
            data["name"],
            data.get("team_id"),
            data.get("environment", environment),
            list(data.get("allowed_models", [])),
        )

    # ------------------------------------------------------------------ budget
    def check_budget(
        self,
        *,
        agent_id: str,
        model: str,
        run_id: Optional[str] = None,
        estimated_tokens: Optional[int] = None,
        estimated_cost_micros: Optional[int] = None,
    ) -> Optional[str]:
        """The pre-flight check (ARCHITECTURE §7): a reservation id when allowed."""
        if not self.enabled:
            return None
        body: dict[str, Any] = {"agent_id": agent_id, "model": model}
        for key, value in (
            ("run_id", run_id),
            ("estimated_tokens", estimated_tokens),
            ("estimated_cost_micros", estimated_cost_micros),
        ):
            if value is not None:
                body[key] = value
        try:
            response = httpx.post(
                self.config.url("budget") + "/v1/checks",
                json=body,
                headers=self._headers(),
                timeout=self.config.request_timeout_s,
            )
        except httpx.HTTPError as exc:
            return self._budget_unreachable(str(exc))
        if response.status_code == 200:
            reservation = response.json().get("reservation_id")
            return str(reservation) if reservation is not None else None
        problem = _problem(response)
        if response.status_code == 429:
            retry = response.headers.get("Retry-After")
            raise BudgetExceeded(
                problem.get("policy"),
                float(retry) if retry else None,
                problem.get("detail") or "budget exceeded",
            )
        if response.status_code == 403:
            raise ModelNotAllowed(model, problem.get("detail") or f"model {model} not allowed")
        if response.status_code >= 500:
            return self._budget_unreachable(f"{response.status_code}")
        raise ApiError(response.status_code, problem)

    def _budget_unreachable(self, why: str) -> Optional[str]:
        if self.config.budget_fail_open:
            log.warning("cognive: budget check skipped (fail-open): %s", why)
            return None
        raise BudgetUnavailable(f"budget service unavailable: {why}")

    # ------------------------------------------------------------------ lifecycle
    def flush(self, timeout: float = 5.0) -> bool:
        return True if self._transport is None else self._transport.flush(timeout)

    def close(self, timeout: float = 5.0) -> bool:
        return True if self._transport is None else self._transport.close(timeout)

    @property
    def dropped_events(self) -> int:
        return 0 if self._transport is None else self._transport.dropped


def default_client() -> Optional[Client]:
    return _default


def _problem(response: httpx.Response) -> dict[str, Any]:
    try:
        body = response.json()
    except ValueError:
        return {"title": response.reason_phrase, "detail": response.text[:300]}
    return body if isinstance(body, dict) else {"detail": str(body)}
