"""Retirement, pension award, payroll, transfers, entitlement checks; the public calculators."""
