"""Employer declarations, bills and payments, the contributions ledger, individual accounts."""
