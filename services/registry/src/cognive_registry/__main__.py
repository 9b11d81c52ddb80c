"""`cognive-registry` / `python -m cognive_registry`: serve the API and run the loops."""

from __future__ import annotations

from cognive_registry.settings import RegistrySettings
from cognive_runtime.service import serve


def main() -> None:
    serve("cognive_registry.bootstrap:app_from_env", RegistrySettings())


if __name__ == "__main__":
    main()
