"""Fixtures for the auditor's pages: the audit tests' case with every kind of protected data."""

from vejud.audit.tests.conftest import sensitive  # noqa: F401  (the same fixture)
