"""Cognive cost service."""
