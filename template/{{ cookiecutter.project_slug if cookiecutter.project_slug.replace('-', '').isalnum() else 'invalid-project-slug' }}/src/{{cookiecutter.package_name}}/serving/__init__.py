"""Serving and operations: the prediction API, retraining and drift monitoring (components)."""
