"""RFC 9457 problem details raised from anywhere in a request and rendered by the app
factory as `application/problem+json`."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

PROBLEM_CONTENT_TYPE = "application/problem+json"
PROBLEM_BASE = "https://cognive.dev/problems/"


@dataclass
class FieldProblem:
    field: str
    msg: str
    type: str = "invalid"


@dataclass
class ProblemError(Exception):
    status: int
    title: str
    detail: str | None = None
    type: str = "about:blank"
    errors: list[FieldProblem] = field(default_factory=list)
    headers: dict[str, str] = field(default_factory=dict)
    extra: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        super().__init__(f"{self.status} {self.title}: {self.detail or ''}")

    def body(self, instance: str | None = None) -> dict[str, Any]:
        body: dict[str, Any] = {"type": self.type, "title": self.title, "status": self.status}
        if self.detail:
            body["detail"] = self.detail
        if instance:
            body["instance"] = instance
        if self.errors:
            body["errors"] = [{"field": e.field, "msg": e.msg, "type": e.type} for e in self.errors]
        body.update(self.extra)
        return body


def problem_type(slug: str) -> str:
    return PROBLEM_BASE + slug
