"""Benchmarks: `make bench` runs them all (bench.run) and writes one report to bench/results/."""
