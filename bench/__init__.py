"""Benchmarks: each compares the platform's path with a raw baseline in the same run."""
