"""Benchmark of the partner warehouse (docs/benchmarks.md): `python -m benchmarks run --scales 0.01 0.1 1`."""
