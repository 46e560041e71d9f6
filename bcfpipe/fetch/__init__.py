"""Fetching sources: Debian packages through an isolated apt configuration, and URLs."""
