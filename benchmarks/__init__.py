"""Benchmarks for ``goldenpath check`` and the policy packs: ``python -m benchmarks.run``."""
