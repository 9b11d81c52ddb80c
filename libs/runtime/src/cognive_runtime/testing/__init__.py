"""Test harness: real-service fixtures (pytest plugin) and a subprocess service runner."""

from cognive_runtime.testing.processes import ServiceProcess, free_port, wait_until
from cognive_runtime.testing.schemas import SchemaFactory, TestSchema

__all__ = ["SchemaFactory", "ServiceProcess", "TestSchema", "free_port", "wait_until"]
