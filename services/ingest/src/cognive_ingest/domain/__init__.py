"""Ingest's business rules, free of I/O: batch validation, agent policy, private events."""
