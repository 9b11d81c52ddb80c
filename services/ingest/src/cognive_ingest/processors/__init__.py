"""Loops of ingest that follow its own log and act on it (not read models)."""
