"""Benchmarks: each module exposes ``run(quick: bool) -> list[BenchRow]``.

``scripts/bench`` runs them all and prints one table (measure, figure, reference
measured in the same run, ratio, target, pass/fail) and writes it as JSON.
Speed targets live here, never as timed assertions in the test suite.
"""
