"""Cursor pagination: ``next_cursor`` is opaque and None on the last page."""

from __future__ import annotations

from typing import Generic, TypeVar

from pydantic import BaseModel, ConfigDict

T = TypeVar("T")


class Page(BaseModel, Generic[T]):
    model_config = ConfigDict(frozen=True, extra="ignore")

    items: list[T]
    next_cursor: str | None = None
