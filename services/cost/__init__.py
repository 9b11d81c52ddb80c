"""Marks this project folder as a package so that pytest gives its tests/ a unique
import name (e.g. `cost.tests`) when the whole repository is collected in one run."""
