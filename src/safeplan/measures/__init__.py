"""Measures: every key measure defined once, computed from the canonical store."""
