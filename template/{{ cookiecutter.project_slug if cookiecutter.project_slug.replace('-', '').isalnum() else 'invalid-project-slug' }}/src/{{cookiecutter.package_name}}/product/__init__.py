"""Product components: the demo app logic, feedback, synthetic data and bias analysis."""
