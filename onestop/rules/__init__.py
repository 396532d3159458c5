"""Pension law as code: pure functions over small value objects (no Django, no I/O, no clock)."""
