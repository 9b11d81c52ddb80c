"""RFC 9457 problem details, the body of every error answer (``application/problem+json``)."""

from __future__ import annotations

from typing import ClassVar

from pydantic import BaseModel, ConfigDict

from cognive_contracts.events.base import ContractStatus

PROBLEM_CONTENT_TYPE = "application/problem+json"


class FieldError(BaseModel):
    """One invalid input: where (``loc`` as pydantic reports it, ``field`` dotted for
    humans) and why."""

    model_config = ConfigDict(frozen=True, extra="ignore")
    contract_status: ClassVar[ContractStatus] = "draft"

    loc: list[str | int]
    field: str
    msg: str
    type: str | None = None


class ProblemDetails(BaseModel):
    # RFC 9457 lets problem types add members; clients must ignore unknown ones.
    model_config = ConfigDict(frozen=True, extra="allow")
    contract_status: ClassVar[ContractStatus] = "draft"

    type: str = "about:blank"
    title: str
    status: int
    detail: str | None = None
    instance: str | None = None
    errors: list[FieldError] = []
