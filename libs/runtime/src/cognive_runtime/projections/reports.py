"""What a rebuild or a verification found, for the admin CLI and the logs."""

from __future__ import annotations

from dataclasses import dataclass

from cognive_runtime.eventlog.model import Position
from cognive_runtime.projections.tables import TableDiff


@dataclass(frozen=True, slots=True)
class VerifyReport:
    projection: str
    position: Position  # where the live and the rebuilt model were compared
    events: int  # events replayed into the shadow
    tables: tuple[TableDiff, ...]
    duration_s: float

    @property
    def differing_rows(self) -> int:
        return sum(t.differing_rows for t in self.tables)

    @property
    def equal(self) -> bool:
        return self.differing_rows == 0


@dataclass(frozen=True, slots=True)
class RebuildReport:
    projection: str
    swapped: bool
    position: Position  # the live checkpoint after the rebuild
    events: int  # events replayed into the shadow, catch-up included
    chunks: int
    longest_chunk_s: float  # the longest replay transaction: the most it held the horizon
    swap_s: float  # the final transaction
    duration_s: float
    verified: bool
    tables: tuple[TableDiff, ...]  # empty unless verified

    @property
    def differing_rows(self) -> int:
        return sum(t.differing_rows for t in self.tables)
