"""Benchmarks for issue 7 (scale, speed and hardening): run ``make bench``; see docs/benchmarks.md."""
