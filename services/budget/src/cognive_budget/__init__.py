"""Cognive budget service."""
