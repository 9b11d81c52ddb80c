"""Read models of ingest's own log, applied by the runtime's ProjectionRunner."""

from cognive_ingest.projections.runs import RunsProjection
from cognive_ingest.projections.violations import ViolationsProjection

__all__ = ["RunsProjection", "ViolationsProjection"]
