"""Data operations: ingestion, validation with quarantine and streaming (components add them)."""
