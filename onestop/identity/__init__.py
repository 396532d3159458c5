"""Regions, agencies, persons, employers, staff, roles, login, MFA and personal-data crypto."""
