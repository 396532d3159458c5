"""Data sharing between departments, e-licences, and the e-certificates the platform issues."""
