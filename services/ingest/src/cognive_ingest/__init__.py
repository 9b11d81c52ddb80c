"""Cognive ingest service."""
