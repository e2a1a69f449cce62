"""Benchmarks (scale, speed and hardening): run ``make bench``; see docs/benchmarks.md."""
