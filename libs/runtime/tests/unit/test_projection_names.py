"""Pure parts of the projections package: physical names, index matching, reports."""

from __future__ import annotations

from collections.abc import Sequence

import asyncpg
import pytest

from cognive_runtime.eventlog import Position, RecordedEvent
from cognive_runtime.projections import RebuildReport, TableDiff, TableNames, VerifyReport
from cognive_runtime.projections.base import (
    MAX_TABLE_NAME,
    checkpoint_name,
    old_name,
    shadow_checkpoint_name,
    shadow_name,
    type_filter,
)
from cognive_runtime.projections.tables import IndexShape, index_renames

pytestmark = pytest.mark.unit


def test_table_names_give_quoted_physical_names() -> None:
    live = TableNames.live(["runs", "steps"])
    shadow = TableNames.shadow(["runs", "steps"])
    assert live["runs"] == '"runs"'
    assert shadow["runs"] == '"runs__shadow"'
    assert shadow.physical("steps") == "steps__shadow"
    assert list(shadow) == ["runs", "steps"]
    assert len(shadow) == 2


def test_undeclared_table_is_a_clear_error() -> None:
    with pytest.raises(KeyError, match="not a table of this projection"):
        TableNames.live(["runs"])["steps"]


def test_names_that_are_not_plain_identifiers_or_too_long_are_refused() -> None:
    with pytest.raises(ValueError, match="identifier"):
        TableNames.live(['runs"; DROP TABLE events; --'])
    with pytest.raises(ValueError, match="longer than"):
        shadow_name("x" * (MAX_TABLE_NAME + 1))
    assert len(old_name("x" * MAX_TABLE_NAME)) <= 63
    assert len(shadow_name("x" * MAX_TABLE_NAME)) <= 63


def test_checkpoint_names() -> None:
    assert checkpoint_name("runs") == "projection:runs"
    assert shadow_checkpoint_name("runs") == "projection:runs:shadow"


class _Typed:
    name = "p"
    tables: Sequence[str] = ("t",)

    def __init__(self, types: frozenset[str] | None) -> None:
        self.types = types

    async def apply(
        self, conn: asyncpg.Connection, events: Sequence[RecordedEvent], tables: TableNames
    ) -> None:
        return None


def test_type_filter_sorted_none_for_all_and_empty_refused() -> None:
    assert type_filter(_Typed(frozenset({"b.x.v1", "a.x.v1"}))) == ["a.x.v1", "b.x.v1"]
    assert type_filter(_Typed(None)) is None
    # read_all treats an empty list as "no filter": the opposite of what an empty set says.
    with pytest.raises(ValueError, match="empty"):
        type_filter(_Typed(frozenset()))


def _ix(name: str, definition: str, *, primary: bool = False, unique: bool = False) -> IndexShape:
    return IndexShape(name, primary, unique, definition)


def test_index_renames_match_by_definition_not_by_name() -> None:
    live = [
        _ix("runs_pkey", "btree (id)", primary=True, unique=True),
        _ix("runs_by_agent", "btree (agent_id, started_at DESC)"),
        _ix("runs_by_team", "btree (team_id)"),
    ]
    rebuilt = [
        _ix("runs__shadow_team_id_idx", "btree (team_id)"),
        _ix("runs__shadow_pkey", "btree (id)", primary=True, unique=True),
        _ix("runs__shadow_agent_id_started_at_idx", "btree (agent_id, started_at DESC)"),
    ]
    assert sorted(index_renames(live, rebuilt)) == [
        ("runs__shadow_agent_id_started_at_idx", "runs_by_agent"),
        ("runs__shadow_pkey", "runs_pkey"),
        ("runs__shadow_team_id_idx", "runs_by_team"),
    ]


def test_index_renames_pair_duplicates_once_and_skip_unmatched_and_same_names() -> None:
    live = [_ix("a1", "btree (x)"), _ix("a2", "btree (x)"), _ix("keep", "btree (y)")]
    rebuilt = [
        _ix("b1", "btree (x)"),
        _ix("b2", "btree (x)"),
        _ix("keep", "btree (y)"),
        _ix("extra", "btree (z)"),
        _ix("u", "btree (x)", unique=True),
    ]
    assert index_renames(live, rebuilt) == [("b1", "a1"), ("b2", "a2")]


def test_reports_sum_differences() -> None:
    diffs = (TableDiff("a", 1, 2), TableDiff("b", 0, 0))
    report = VerifyReport("p", Position(5, 9), 100, diffs, 0.5)
    assert report.differing_rows == 3
    assert not report.equal
    assert VerifyReport("p", Position(5, 9), 100, (TableDiff("a", 0, 0),), 0.5).equal
    rebuilt = RebuildReport("p", False, Position(5, 9), 100, 1, 0.1, 0.01, 0.5, True, diffs)
    assert rebuilt.differing_rows == 3
