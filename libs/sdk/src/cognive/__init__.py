"""Cognive SDK."""
