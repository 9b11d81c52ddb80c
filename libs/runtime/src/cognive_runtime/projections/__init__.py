"""Read models of a service's own log: the live runner, and rebuild/verify from position 0."""

from cognive_runtime.projections.base import Projection, TableNames
from cognive_runtime.projections.rebuild import (
    Progress,
    RebuildInProgressError,
    rebuild,
    verify,
)
from cognive_runtime.projections.reports import RebuildReport, VerifyReport
from cognive_runtime.projections.runner import ProjectionRunner
from cognive_runtime.projections.tables import TableDiff

__all__ = [
    "Progress",
    "Projection",
    "ProjectionRunner",
    "RebuildInProgressError",
    "RebuildReport",
    "TableDiff",
    "TableNames",
    "VerifyReport",
    "rebuild",
    "verify",
]
