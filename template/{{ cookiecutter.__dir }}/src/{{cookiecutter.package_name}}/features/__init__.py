"""Turning raw columns into model inputs."""
