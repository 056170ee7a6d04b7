"""Benchmarks (STYLE.md: speed targets live here, never in timed unit tests)."""
