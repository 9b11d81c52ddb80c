"""Ingest's HTTP API: one router per resource."""
