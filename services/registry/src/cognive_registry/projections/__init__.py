"""Registry's read models: the directory (teams, agents, keys, people) and the audit trail."""

from cognive_registry.projections.audit import AUDIT_RECORDED, AuditProjection
from cognive_registry.projections.directory import DirectoryProjection

__all__ = ["AUDIT_RECORDED", "AuditProjection", "DirectoryProjection"]
