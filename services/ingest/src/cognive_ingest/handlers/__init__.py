"""Consumed foreign events → ingest's own log (one transaction with the inbox rows)."""
