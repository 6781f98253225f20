"""Tinget's benchmarks: one module per scenario, run by `python -m bench` (`make bench`). See README.md."""
