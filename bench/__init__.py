"""Benchmarks that print one JSON object to stdout (logs go to stderr)."""
