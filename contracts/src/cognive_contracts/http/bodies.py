"""The two kinds of HTTP body every service's API has: requests refuse unknown fields (a
typo must not be silently ignored), responses are frozen values."""

from __future__ import annotations

from typing import ClassVar

from pydantic import BaseModel, ConfigDict

from cognive_contracts.events.base import ContractStatus


class RequestBody(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")
    contract_status: ClassVar[ContractStatus] = "stable"


class ResponseBody(BaseModel):
    model_config = ConfigDict(frozen=True)
    contract_status: ClassVar[ContractStatus] = "stable"
