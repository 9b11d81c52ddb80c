"""The local servers the tests run against, as Debian's packages install them: what a test
that restarts one needs to name it."""

from __future__ import annotations

from pathlib import Path


def postgres_cluster(etc: Path = Path("/etc/postgresql")) -> tuple[str, str]:
    """(version, cluster name) of the newest local cluster, for `pg_ctlcluster`."""
    versions = sorted(etc.iterdir(), key=lambda p: int(p.name))
    version = versions[-1]
    return version.name, sorted(p.name for p in version.iterdir())[0]
