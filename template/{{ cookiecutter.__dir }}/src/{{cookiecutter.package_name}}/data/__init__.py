"""Reading, checking and splitting the raw data."""
