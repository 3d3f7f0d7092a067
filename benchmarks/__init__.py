"""The benchmark: run it from the repository root as ``python -m benchmarks.run``."""
