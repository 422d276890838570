"""Benchmarks (run as scripts: python -m benchmarks.search_bench)."""
