"""The registry simulator fixtures of the pensions tests, for the registry rules."""

from onestop.pensions.tests.conftest import hub, registry  # noqa: F401
