"""Model registry, training and saved model artifacts."""
