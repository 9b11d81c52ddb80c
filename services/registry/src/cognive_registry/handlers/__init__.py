"""Consumed events → registry's log."""
