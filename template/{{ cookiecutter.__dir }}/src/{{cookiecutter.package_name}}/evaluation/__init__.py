"""Test-set metrics, figures and the report."""
