"""Cognive notification service."""
