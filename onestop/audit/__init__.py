"""Append-only, hash-chained audit journal.

Call ``onestop.audit.services.record(...)`` inside the transaction of every state change.
"""
