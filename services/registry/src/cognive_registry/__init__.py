"""Cognive registry service."""
