"""What a command can be refused for, raised by a service's pure domain; the API maps each
to its HTTP status (`cognive_runtime.http.commands.command`)."""

from __future__ import annotations


class DomainError(Exception):
    status = 400

    def __init__(self, detail: str, field: str | None = None) -> None:
        super().__init__(detail)
        self.detail = detail
        self.field = field


class NotFound(DomainError):
    status = 404


class Conflict(DomainError):
    status = 409


class Gone(DomainError):
    """The thing exists but can no longer change (a retired agent, a revoked key)."""

    status = 409
